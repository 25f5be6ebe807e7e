PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_things` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`size` text DEFAULT 'l' NOT NULL,
	`coupon` text,
	`stock` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_things`("id", "name", "size", "coupon", "stock") SELECT "id", "name", "size", "coupon", "stock" FROM `things`;--> statement-breakpoint
DROP TABLE `things`;--> statement-breakpoint
ALTER TABLE `__new_things` RENAME TO `things`;--> statement-breakpoint
PRAGMA foreign_keys=ON;