CREATE TABLE `things` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`size` text
);
