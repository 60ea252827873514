/* SPDX-License-Identifier: MIT */
/*
 * fuzz-boot: the input is an image. Read its boot setup as `isokit info`
 * and `extract --boot-images` do: the El Torito entries, what is known of
 * each boot image (size, file, patches), the MBR partitions and the GPT
 * with its backup. Checks the promises of those calls: strings with their
 * NUL, counts that agree between a counting call and a fetching one, boot
 * image sizes that never reach past the image's end.
 */
#include "fuzz-common.h"

#define ENTRIES 64
#define GPT_CAP 8

static void check_boot_images(struct isokit_image *img, const struct isokit_boot_entry *e,
			      size_t n, uint64_t image_size)
{
	static struct isokit_boot_image_info bi[ENTRIES];
	char catalog[1024];
	if (isokit_image_boot_images(img, e, n, bi, catalog, sizeof(catalog)) != 0) {
		fuzz_touch_str(isokit_image_errmsg(img));
		return;
	}
	FUZZ_CHECK_ARRAY(catalog);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK_ARRAY(bi[i].path);
		FUZZ_CHECK(bi[i].size_from != NULL);
		fuzz_touch_str(bi[i].size_from);
		uint64_t off = (uint64_t)e[i].load_rba * 2048;
		/* what extract --boot-images would copy lies inside the image */
		FUZZ_CHECK(bi[i].bytes == 0 || (off < image_size && bi[i].bytes <= image_size - off));
		fuzz_sink += (size_t)bi[i].bytes + bi[i].info_table + bi[i].grub2_info;
	}
}

static void check_partitions(struct isokit_image *img)
{
	struct isokit_partition mbr[4];
	size_t n = 0, n2 = 0;
	if (isokit_image_partitions(img, NULL, 0, &n) == 0 &&
	    isokit_image_partitions(img, mbr, 4, &n2) == 0) {
		FUZZ_CHECK(n == n2 && n <= 4);
		for (size_t i = 0; i < n2; i++)
			fuzz_sink += mbr[i].start + mbr[i].sectors + mbr[i].type;
	}
	struct isokit_gpt g, g2;
	struct isokit_gpt_partition gp[GPT_CAP];
	size_t count = 0, count2 = 0;
	int r1 = isokit_image_gpt(img, &g, NULL, 0, &count);
	int r2 = isokit_image_gpt(img, &g2, gp, GPT_CAP, &count2);
	if (r1 || r2) {
		fuzz_touch_str(isokit_image_errmsg(img));
		return;
	}
	FUZZ_CHECK(count == count2 && g.present == g2.present && g.backup_ok == g2.backup_ok);
	FUZZ_CHECK(g.present || (!g.header_ok && count == 0));
	FUZZ_CHECK(count <= g.entries);
	for (size_t i = 0; i < count2 && i < GPT_CAP; i++) {
		FUZZ_CHECK_ARRAY(gp[i].name);
		FUZZ_CHECK(gp[i].type_name != NULL);
		fuzz_touch_str(gp[i].type_name);
		FUZZ_CHECK(gp[i].index >= 1 && gp[i].index <= g.entries);
		fuzz_sink += (size_t)(gp[i].first + gp[i].last + gp[i].attributes);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isokit_boot_entry entries[ENTRIES];
	size_t findings = 0, count = 0, count2 = 0;
	struct isokit_image *img = fuzz_open(data, size, ISOKIT_NS_AUTO, &findings);
	if (!img)
		return 0;
	check_partitions(img);
	int r1 = isokit_image_boot_entries(img, NULL, 0, &count);
	int r2 = isokit_image_boot_entries(img, entries, ENTRIES, &count2);
	FUZZ_CHECK(r1 != 0 || r2 != 0 || count == count2);
	if (r2 == 0) {
		for (size_t i = 0; i < count2 && i < ENTRIES; i++)
			FUZZ_CHECK_ARRAY(entries[i].id);
		check_boot_images(img, entries, count2 < ENTRIES ? count2 : ENTRIES, size);
	} else {
		fuzz_touch_str(isokit_image_errmsg(img));
	}
	fuzz_check_info(isokit_image_info(img));
	isokit_image_close(img);
	return 0;
}
