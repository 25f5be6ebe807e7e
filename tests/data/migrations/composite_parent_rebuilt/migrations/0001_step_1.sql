PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_members` (
	`orgId` integer NOT NULL,
	`userId` integer NOT NULL,
	`score` real,
	PRIMARY KEY(`orgId`, `userId`)
);
--> statement-breakpoint
INSERT INTO `__new_members`("orgId", "userId", "score") SELECT "orgId", "userId", "score" FROM `members`;--> statement-breakpoint
DROP TABLE `members`;--> statement-breakpoint
ALTER TABLE `__new_members` RENAME TO `members`;--> statement-breakpoint
PRAGMA foreign_keys=ON;