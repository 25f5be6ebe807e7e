CREATE UNIQUE INDEX `things_name_unique` ON `things` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `things_size_name` ON `things` (`size`,`name`);