CREATE TABLE `members` (
	`orgId` integer NOT NULL,
	`userId` integer NOT NULL,
	`score` integer,
	PRIMARY KEY(`orgId`, `userId`)
);
--> statement-breakpoint
CREATE TABLE `posts` (
	`id` integer PRIMARY KEY NOT NULL,
	`orgId` integer NOT NULL,
	`authorId` integer NOT NULL,
	`title` text NOT NULL,
	FOREIGN KEY (`orgId`,`authorId`) REFERENCES `members`(`orgId`,`userId`) ON UPDATE no action ON DELETE cascade
);
