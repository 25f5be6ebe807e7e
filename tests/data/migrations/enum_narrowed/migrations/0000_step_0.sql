CREATE TABLE `things` (
	`id` integer PRIMARY KEY NOT NULL,
	`size` text NOT NULL,
	CONSTRAINT "things_size_enum" CHECK("things"."size" in ('s', 'm', 'l'))
);
