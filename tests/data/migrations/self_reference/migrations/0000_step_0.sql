CREATE TABLE `categories` (
	`id` integer PRIMARY KEY NOT NULL,
	`parentId` integer,
	`name` text NOT NULL,
	FOREIGN KEY (`parentId`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE cascade
);
