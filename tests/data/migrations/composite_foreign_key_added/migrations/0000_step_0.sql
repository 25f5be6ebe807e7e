CREATE TABLE `members` (
	`orgId` integer NOT NULL,
	`userId` integer NOT NULL,
	`email` text NOT NULL,
	PRIMARY KEY(`orgId`, `userId`)
);
--> statement-breakpoint
CREATE TABLE `posts` (
	`id` integer PRIMARY KEY NOT NULL,
	`orgId` integer NOT NULL,
	`authorId` integer NOT NULL
);
