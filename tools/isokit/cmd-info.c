// SPDX-License-Identifier: MIT
/* isokit info: what an image is made of, for people and (--json) scripts. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const struct cmd_def cmd_info_def = {
	"info", "IMAGE",
	"Show the volume: label, dates, size, namespaces and extensions present,\n"
	"El Torito boot entries, partition tables, embedded checksums.",
	cmd_info, false, false,
};

static const struct opt_def info_opts[] = {
	{OPT_JSON, 0, "json", NULL, "print a JSON object (schema in isokit-info(1))"},
	{0, 0, NULL, NULL, NULL},
};

#define ZISOFS_SCAN_LIMIT 20000

/* zisofs is a per-file property: look for it, within a bound. 1 found,
 * 0 not found in the whole tree, -1 not found within the bound. */
static int scan_zisofs(struct isokit_image *img)
{
	struct isokit_walk *w;
	if (isokit_walk_new(img, isokit_image_root(img), NULL, &w))
		return -1;
	enum isokit_walk_event ev;
	const struct isokit_node *n;
	const char *path;
	int rc, result = 0;
	unsigned seen = 0;
	while ((rc = isokit_walk_next(w, &ev, &n, &path)) != 0) {
		if (rc < 0)
			continue;
		if (ev != ISOKIT_WALK_ENTRY)
			continue;
		if (isokit_node_stat(n)->zisofs) {
			result = 1;
			break;
		}
		if (++seen >= ZISOFS_SCAN_LIMIT) {
			result = -1;
			break;
		}
	}
	isokit_walk_free(w);
	return result;
}

static const char *platform_name(uint8_t p)
{
	switch (p) {
	case 0:
		return "x86 BIOS";
	case 1:
		return "PowerPC";
	case 2:
		return "Mac";
	case 0xEF:
		return "UEFI";
	default:
		return "unknown";
	}
}

static const char *media_name(uint8_t m)
{
	static const char *names[] = {"no emulation", "1.2M floppy", "1.44M floppy",
				      "2.88M floppy", "hard disk"};
	return m < 5 ? names[m] : "unknown";
}

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "  ");
	json_string(f, k);
	fputs(": ", f);
	json_string(f, v);
	fputs(comma ? ",\n" : "\n", f);
}

static void json_time(FILE *f, const char *k, const struct isokit_time *t)
{
	char buf[64];
	fprintf(f, "  \"%s\": ", k);
	if (t->valid) {
		format_time_iso(t, buf, sizeof(buf));
		json_string(f, buf);
	} else {
		fputs("null", f);
	}
	fputs(",\n", f);
}

struct info_extra {
	int zisofs;
	const struct isokit_boot_entry *be;
	const struct isokit_boot_image_info *bi;
	size_t nbe;
	const char *catalog_path;
	const struct isokit_gpt *gpt;
	const struct isokit_gpt_partition *gp;
	size_t ngp;
	const struct isokit_partition *pt;
	size_t npt;
	const struct isokit_md5_tag *tags;
	size_t ntags;
};

/* A GUID as stored on disk (first three fields little-endian) in the
 * usual text form. */
static void format_guid(const uint8_t *g, char out[40])
{
	snprintf(out, 40,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", g[3], g[2],
		 g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
}

static void print_json(const char *path, const struct isokit_volume_info *vi,
		       const struct info_extra *x)
{
	int zisofs = x->zisofs;
	const struct isokit_boot_entry *be = x->be;
	const struct isokit_partition *pt = x->pt;
	size_t nbe = x->nbe, npt = x->npt;
	FILE *f = stdout;
	fputs("{\n", f);
	json_kv(f, "image", path, true);
	fprintf(f, "  \"image_bytes\": %llu,\n  \"block_size\": %u,\n"
		   "  \"volume_blocks\": %llu,\n  \"volume_bytes\": %llu,\n",
		(unsigned long long)vi->image_bytes, vi->block_size,
		(unsigned long long)vi->volume_blocks,
		(unsigned long long)vi->volume_blocks * vi->block_size);
	json_kv(f, "label", vi->volume_label, true);
	json_kv(f, "volume_id", vi->volume_id, true);
	json_kv(f, "system_id", vi->system_id, true);
	json_kv(f, "volume_set_id", vi->volume_set_id, true);
	json_kv(f, "publisher", vi->publisher_id, true);
	json_kv(f, "preparer", vi->preparer_id, true);
	json_kv(f, "application", vi->application_id, true);
	json_time(f, "created", &vi->created);
	json_time(f, "modified", &vi->modified);
	json_time(f, "expires", &vi->expires);
	json_time(f, "effective", &vi->effective);
	json_kv(f, "namespace", ns_name(vi->ns), true);
	fprintf(f, "  \"rockridge\": ");
	if (vi->has_rockridge) {
		fputs("{\"version\": ", f);
		json_string(f, vi->rockridge_version);
		fputs(", \"er_id\": ", f);
		json_string(f, vi->rockridge_er_id);
		fputs("},\n", f);
	} else {
		fputs("null,\n", f);
	}
	if (vi->has_joliet)
		fprintf(f, "  \"joliet\": {\"level\": %d},\n", vi->joliet_level);
	else
		fputs("  \"joliet\": null,\n", f);
	fprintf(f, "  \"iso9660_1999\": %s,\n", vi->has_iso1999 ? "true" : "false");
	fprintf(f, "  \"iso9660\": %s,\n", vi->has_iso9660 ? "true" : "false");
	fputs("  \"udf\": ", f);
	if (vi->has_udf) {
		fputs("{\"revision\": ", f);
		json_string(f, vi->udf_revision);
		fputs(", \"volume_id\": ", f);
		json_string(f, vi->udf_volume_id);
		fputs(", \"volume_set_id\": ", f);
		json_string(f, vi->udf_volume_set_id);
		fputs(", \"fileset_id\": ", f);
		json_string(f, vi->udf_fileset_id);
		fputs(", \"implementation\": ", f);
		json_string(f, vi->udf_impl_id);
		char when[40];
		format_time_iso(&vi->udf_recorded, when, sizeof(when));
		fprintf(f, ", \"recorded\": ");
		if (vi->udf_recorded.valid)
			json_string(f, when);
		else
			fputs("null", f);
		fprintf(f, ", \"block_size\": %u, \"anchor\": %u, \"partition_maps\": %u, "
			   "\"partition_start\": %u, \"partition_blocks\": %u, \"metadata_partition\": %s},\n",
			vi->udf_block_size, vi->udf_anchor, vi->udf_partitions,
			vi->udf_partition_start, vi->udf_partition_blocks,
			vi->udf_metadata ? "true" : "false");
	} else {
		fputs("null,\n", f);
	}
	fprintf(f, "  \"zisofs\": %s,\n",
		zisofs > 0 ? "true" : zisofs == 0 ? "false" : "null");
	fputs("  \"eltorito\": ", f);
	if (vi->has_eltorito) {
		fprintf(f, "{\"catalog_lba\": %u, \"entries\": [", vi->boot_catalog_lba);
		for (size_t i = 0; i < nbe; i++) {
			fprintf(f, "%s\n    {\"section\": %u, \"platform\": %u, "
				   "\"platform_name\": \"%s\", \"bootable\": %s, "
				   "\"emulation\": \"%s\", \"load_segment\": %u, "
				   "\"system_type\": %u, \"sectors\": %u, \"load_lba\": %u, \"id\": ",
				i ? "," : "", be[i].section, be[i].platform,
				platform_name(be[i].platform),
				be[i].bootable ? "true" : "false", media_name(be[i].media),
				be[i].load_segment, be[i].system_type, be[i].sector_count,
				be[i].load_rba);
			json_string(f, be[i].id);
			const struct isokit_boot_image_info *bi = &x->bi[i];
			fprintf(f, ", \"image_bytes\": %llu, \"size_from\": \"%s\", \"path\": ",
				(unsigned long long)bi->bytes, bi->size_from ? bi->size_from : "");
			if (bi->path[0])
				json_string(f, bi->path);
			else
				fputs("null", f);
			fprintf(f, ", \"boot_info_table\": %s, \"grub2_boot_info\": %s}",
				bi->info_table ? "true" : "false", bi->grub2_info ? "true" : "false");
		}
		fputs(nbe ? "\n  ], \"catalog_path\": " : "], \"catalog_path\": ", f);
		if (x->catalog_path[0])
			json_string(f, x->catalog_path);
		else
			fputs("null", f);
		fputs("},\n", f);
	} else {
		fputs("null,\n", f);
	}
	fputs("  \"partitions\": [", f);
	for (size_t i = 0; i < npt; i++)
		fprintf(f, "%s\n    {\"scheme\": \"mbr\", \"index\": %u, \"type\": %u, "
			   "\"bootable\": %s, \"start_sector\": %u, \"sectors\": %u}",
			i ? "," : "", pt[i].index, pt[i].type,
			pt[i].bootable ? "true" : "false", pt[i].start, pt[i].sectors);
	fputs(npt ? "\n  ],\n" : "],\n", f);
	if (x->gpt->present) {
		char guid[40];
		format_guid(x->gpt->disk_guid, guid);
		fprintf(f, "  \"gpt\": {\"disk_guid\": \"%s\", \"header_ok\": %s, "
			   "\"entries_ok\": %s, \"backup_ok\": %s, \"first_usable\": %llu, "
			   "\"last_usable\": %llu, \"partitions\": [", guid,
			x->gpt->header_ok ? "true" : "false", x->gpt->entries_ok ? "true" : "false",
			x->gpt->backup_ok ? "true" : "false",
			(unsigned long long)x->gpt->first_usable, (unsigned long long)x->gpt->last_usable);
		for (size_t i = 0; i < x->ngp; i++) {
			const struct isokit_gpt_partition *p = &x->gp[i];
			char tg[40];
			format_guid(p->type, tg);
			fprintf(f, "%s\n    {\"index\": %u, \"type_guid\": \"%s\", \"type\": \"%s\", "
				   "\"first_sector\": %llu, \"last_sector\": %llu, "
				   "\"attributes\": %llu, \"name\": ",
				i ? "," : "", p->index, tg, p->type_name,
				(unsigned long long)p->first, (unsigned long long)p->last,
				(unsigned long long)p->attributes);
			json_string(f, p->name);
			fputs("}", f);
		}
		fputs(x->ngp ? "\n  ]},\n" : "]},\n", f);
	} else {
		fputs("  \"gpt\": null,\n", f);
	}
	fputs("  \"checksums\": {\"isomd5sum\": ", f);
	if (vi->has_isomd5sum)
		json_string(f, vi->isomd5sum);
	else
		fputs("null", f);
	fputs(", \"md5_tags\": [", f);
	for (size_t i = 0; i < x->ntags; i++)
		fprintf(f, "%s{\"kind\": \"%s\", \"block\": %u, \"range_start\": %u, "
			   "\"range_blocks\": %u, \"md5\": \"%s\"}",
			i ? ", " : "", x->tags[i].kind, x->tags[i].pos,
			x->tags[i].range_start, x->tags[i].range_size, x->tags[i].md5);
	fputs("]}\n}\n", f);
}

static void line(const char *k, const char *v)
{
	if (v && v[0]) {
		printf("%-22s ", k);
		print_escaped(stdout, v);
		putchar('\n');
	}
}

static void line_time(const char *k, const struct isokit_time *t)
{
	char buf[64];
	if (!t->valid)
		return;
	format_time_iso(t, buf, sizeof(buf));
	line(k, buf);
}

static void print_human(const char *path, const struct isokit_volume_info *vi,
			const struct info_extra *x)
{
	int zisofs = x->zisofs;
	const struct isokit_boot_entry *be = x->be;
	const struct isokit_partition *pt = x->pt;
	size_t nbe = x->nbe, npt = x->npt;
	char buf[160], sz[32];
	line("Image:", path);
	line("Label:", vi->volume_label);
	if (strcmp(vi->volume_label, vi->volume_id) != 0)
		line("Volume id (ISO 9660):", vi->volume_id);
	line("System:", vi->system_id);
	line("Volume set:", vi->volume_set_id);
	line("Publisher:", vi->publisher_id);
	line("Preparer:", vi->preparer_id);
	line("Application:", vi->application_id);
	line_time("Created:", &vi->created);
	line_time("Modified:", &vi->modified);
	line_time("Expires:", &vi->expires);
	line_time("Effective:", &vi->effective);
	human_size(vi->volume_blocks * vi->block_size, sz, sizeof(sz));
	snprintf(buf, sizeof(buf), "%llu blocks of %u bytes (%s)",
		 (unsigned long long)vi->volume_blocks, vi->block_size, sz);
	line("Volume size:", buf);
	human_size(vi->image_bytes, sz, sizeof(sz));
	snprintf(buf, sizeof(buf), "%llu bytes (%s)",
		 (unsigned long long)vi->image_bytes, sz);
	line("Image size:", buf);
	line("Namespace used:", ns_name(vi->ns));
	puts("Extensions:");
	printf("  %-20s %s\n", "ISO 9660", vi->has_iso9660 ? "yes" : "no (UDF only)");
	if (vi->has_udf) {
		printf("  %-20s yes, revision %s, %u-byte blocks, anchor at block %u\n", "UDF",
		       vi->udf_revision, vi->udf_block_size, vi->udf_anchor);
		printf("    volume: ");
		print_escaped(stdout, vi->udf_volume_id);
		printf("\n    file set: ");
		print_escaped(stdout, vi->udf_fileset_id);
		printf("\n    partition: blocks %u-%u (%u)%s\n", vi->udf_partition_start,
		       vi->udf_partition_start + vi->udf_partition_blocks - (vi->udf_partition_blocks > 0),
		       vi->udf_partition_blocks,
		       vi->udf_metadata ? ", with a metadata partition" : "");
		if (vi->udf_impl_id[0])
			printf("    recorded by: %s\n", vi->udf_impl_id);
	} else {
		printf("  %-20s no\n", "UDF");
	}
	if (vi->has_rockridge)
		printf("  %-20s yes, version %s (ER %s)\n", "Rock Ridge",
		       vi->rockridge_version,
		       vi->rockridge_er_id[0] ? vi->rockridge_er_id : "none");
	else
		printf("  %-20s no\n", "Rock Ridge");
	if (vi->has_joliet)
		printf("  %-20s yes, UCS-2 level %d\n", "Joliet", vi->joliet_level);
	else
		printf("  %-20s no\n", "Joliet");
	printf("  %-20s %s\n", "ISO 9660:1999", vi->has_iso1999 ? "yes" : "no");
	printf("  %-20s %s\n", "zisofs",
	       zisofs > 0 ? "yes" : zisofs == 0 ? "no"
						: "not found in the first 20000 entries");
	if (vi->has_eltorito) {
		printf("  %-20s yes, catalog at block %u, %zu entr%s\n", "El Torito",
		       vi->boot_catalog_lba, nbe, nbe == 1 ? "y" : "ies");
		if (x->catalog_path[0]) {
			printf("    catalog file: ");
			print_escaped(stdout, x->catalog_path);
			putchar('\n');
		}
		for (size_t i = 0; i < nbe; i++) {
			const struct isokit_boot_image_info *bi = &x->bi[i];
			printf("    entry %zu: section %u, %s, %s, %s, load segment 0x%04x, "
			       "%u sectors, image at block %u%s%s\n",
			       i + 1, be[i].section, platform_name(be[i].platform),
			       be[i].bootable ? "bootable" : "not bootable",
			       media_name(be[i].media), be[i].load_segment,
			       be[i].sector_count, be[i].load_rba,
			       be[i].id[0] ? ", id " : "", be[i].id);
			printf("      image: ");
			if (bi->path[0])
				print_escaped(stdout, bi->path);
			else
				printf("(no file)");
			printf(", %llu bytes (size from %s)%s%s\n", (unsigned long long)bi->bytes,
			       bi->size_from ? bi->size_from : "?",
			       bi->info_table ? ", boot-info-table" : "",
			       bi->grub2_info ? ", GRUB 2 boot info" : "");
		}
	} else {
		printf("  %-20s no\n", "El Torito");
	}
	if (npt || x->gpt->present) {
		printf("  %-20s %s%s\n", "Partition table", npt ? "MBR" : "",
		       vi->has_gpt ? (npt ? " + GPT" : "GPT") : "");
		for (size_t i = 0; i < npt; i++)
			printf("    MBR partition %u: type 0x%02x%s, start %u, %u sectors\n",
			       pt[i].index, pt[i].type, pt[i].bootable ? ", bootable" : "",
			       pt[i].start, pt[i].sectors);
		if (x->gpt->present) {
			char guid[40];
			format_guid(x->gpt->disk_guid, guid);
			printf("    GPT disk %s, usable sectors %llu-%llu%s\n", guid,
			       (unsigned long long)x->gpt->first_usable,
			       (unsigned long long)x->gpt->last_usable,
			       !x->gpt->header_ok	 ? ", DAMAGED header"
			       : !x->gpt->entries_ok ? ", DAMAGED entries"
			       : !x->gpt->backup_ok  ? ", backup missing or damaged"
						     : "");
		}
		for (size_t i = 0; i < x->ngp; i++) {
			const struct isokit_gpt_partition *p = &x->gp[i];
			printf("    GPT partition %u: %s, sectors %llu-%llu, name ", p->index,
			       p->type_name, (unsigned long long)p->first,
			       (unsigned long long)p->last);
			print_escaped(stdout, p->name);
			putchar('\n');
		}
	} else {
		printf("  %-20s no\n", "Partition table");
	}
	if (!vi->has_isomd5sum && !x->ntags)
		printf("  %-20s none\n", "Checksums");
	if (vi->has_isomd5sum)
		printf("  %-20s implantisomd5 MD5 %s\n", "Checksums", vi->isomd5sum);
	for (size_t i = 0; i < x->ntags; i++)
		printf("  %-20s xorriso MD5 %s tag at block %u: blocks %u..%u, MD5 %s\n",
		       i || vi->has_isomd5sum ? "" : "Checksums", x->tags[i].kind,
		       x->tags[i].pos, x->tags[i].range_start,
		       x->tags[i].range_start + x->tags[i].range_size - 1, x->tags[i].md5);
}

int cmd_info(int argc, char **argv)
{
	struct common_opts c = {0};
	int first;
	int r = opt_parse(&cmd_info_def, info_opts, argc, argv, &c, NULL, NULL, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error(&cmd_info_def, "expected one IMAGE");
	const char *path = argv[first];
	struct open_ctx ctx;
	struct isokit_image *img = cli_open(path, &c, &ctx);
	if (!img)
		return EXIT_FAIL;
	int status = EXIT_OK;
	const struct isokit_volume_info *vi = isokit_image_info(img);
	struct isokit_boot_entry be[64];
	size_t nbe = 0;
	int rc = isokit_image_boot_entries(img, be, 64, &nbe);
	if (rc) {
		cli_image_error(path, img, rc);
		status = EXIT_FAIL;
	}
	if (nbe > 64)
		nbe = 64;
	struct isokit_partition pt[4];
	size_t npt = 0;
	rc = isokit_image_partitions(img, pt, 4, &npt);
	if (rc) {
		cli_image_error(path, img, rc);
		status = EXIT_FAIL;
	}
	struct isokit_md5_tag tags[4];
	size_t ntags = 0;
	rc = isokit_image_md5_tags(img, tags, 4, &ntags);
	if (rc) {
		cli_image_error(path, img, rc);
		status = EXIT_FAIL;
	}
	if (ntags > 4)
		ntags = 4;
	static struct isokit_boot_image_info bi[64];
	char catalog_path[1024] = "";
	if (nbe && (rc = isokit_image_boot_images(img, be, nbe, bi, catalog_path,
						  sizeof(catalog_path))) != 0) {
		cli_image_error(path, img, rc);
		status = EXIT_FAIL;
	}
	struct isokit_gpt gpt;
	struct isokit_gpt_partition gp[32];
	size_t ngp = 0;
	if ((rc = isokit_image_gpt(img, &gpt, gp, 32, &ngp)) != 0) {
		cli_image_error(path, img, rc);
		status = EXIT_FAIL;
	}
	if (ngp > 32)
		ngp = 32;
	struct info_extra x = {scan_zisofs(img), be, bi, nbe, catalog_path, &gpt, gp, ngp,
			       pt, npt, tags, ntags};
	if (c.json)
		print_json(path, vi, &x);
	else
		print_human(path, vi, &x);
	if (ctx.errors)
		status = EXIT_FAIL;
	isokit_image_close(img);
	return status;
}
