CREATE TABLE `boxes` (
	`id` integer PRIMARY KEY NOT NULL,
	`thingId` integer,
	FOREIGN KEY (`thingId`) REFERENCES `things`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `things` ADD `note` text;--> statement-breakpoint
ALTER TABLE `things` ADD `stock` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `things` ADD `sku` text NOT NULL;