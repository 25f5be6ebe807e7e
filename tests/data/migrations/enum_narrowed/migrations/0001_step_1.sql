PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_things` (
	`id` integer PRIMARY KEY NOT NULL,
	`size` text NOT NULL,
	CONSTRAINT "things_size_enum" CHECK("__new_things"."size" in ('s', 'm'))
);
--> statement-breakpoint
INSERT INTO `__new_things`("id", "size") SELECT "id", "size" FROM `things`;--> statement-breakpoint
DROP TABLE `things`;--> statement-breakpoint
ALTER TABLE `__new_things` RENAME TO `things`;--> statement-breakpoint
PRAGMA foreign_keys=ON;