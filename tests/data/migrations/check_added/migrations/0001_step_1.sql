PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_things` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`size` text,
	CONSTRAINT "size_known" CHECK("__new_things"."size" in ('s', 'm', 'l'))
);
--> statement-breakpoint
INSERT INTO `__new_things`("id", "name", "size") SELECT "id", "name", "size" FROM `things`;--> statement-breakpoint
DROP TABLE `things`;--> statement-breakpoint
ALTER TABLE `__new_things` RENAME TO `things`;--> statement-breakpoint
PRAGMA foreign_keys=ON;