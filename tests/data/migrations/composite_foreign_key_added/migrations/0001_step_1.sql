CREATE UNIQUE INDEX `members_email_lower_unique` ON `members` (lower("email"));--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_posts` (
	`id` integer PRIMARY KEY NOT NULL,
	`orgId` integer NOT NULL,
	`authorId` integer NOT NULL,
	FOREIGN KEY (`orgId`,`authorId`) REFERENCES `members`(`orgId`,`userId`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_posts`("id", "orgId", "authorId") SELECT "id", "orgId", "authorId" FROM `posts`;--> statement-breakpoint
DROP TABLE `posts`;--> statement-breakpoint
ALTER TABLE `__new_posts` RENAME TO `posts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;