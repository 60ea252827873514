// SPDX-License-Identifier: MIT
/* Formatting shared by the commands: modes, times, sizes, JSON strings,
 * and messages in the form "isokit: IMAGE: what (sector N, path P)". */
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"

const char *progname = "isokit";

__attribute__((format(printf, 3, 0)))
static void vmsg(const char *kind, const char *image, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	if (image)
		fprintf(stderr, "%s: ", image);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	/* Names from an image may hold control characters: never let them
	 * reach the terminal raw. */
	char buf[2048];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

void msg_error(const char *image, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, image, fmt, ap);
	va_end(ap);
}

void msg_warn(const char *image, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("warning", image, fmt, ap);
	va_end(ap);
}

const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "chardev";
	case S_IFBLK:
		return "blockdev";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	default:
		return "file";
	}
}

void mode_string(uint32_t mode, char out[11])
{
	static const char types[] = "?pc?d?b?-?l?s???";
	out[0] = types[(mode & S_IFMT) >> 12];
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (mode & (1u << (8 - i))) ? rwx[i] : '-';
	if (mode & S_ISUID)
		out[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		out[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		out[9] = (mode & S_IXOTH) ? 't' : 'T';
	out[10] = '\0';
}

void format_time(const struct isokit_time *t, char *out, size_t len)
{
	if (!t->valid) {
		snprintf(out, len, "%-16s", "-");
		return;
	}
	time_t s = (time_t)t->sec;
	struct tm tm;
	if (!localtime_r(&s, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, len, "%-16s", "?");
}

void format_time_iso(const struct isokit_time *t, char *out, size_t len)
{
	time_t s = (time_t)t->sec;
	struct tm tm;
	if (!t->valid || !gmtime_r(&s, &tm) ||
	    !strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, len, "null");
}

const char *ns_name(enum isokit_namespace ns)
{
	switch (ns) {
	case ISOKIT_NS_ROCKRIDGE:
		return "rockridge";
	case ISOKIT_NS_JOLIET:
		return "joliet";
	case ISOKIT_NS_ISO9660_1999:
		return "iso9660-1999";
	case ISOKIT_NS_ISO9660:
		return "iso9660";
	case ISOKIT_NS_UDF:
		return "udf";
	default:
		return "auto";
	}
}

void human_size(uint64_t b, char *out, size_t len)
{
	static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%llu B", (unsigned long long)b);
	else
		snprintf(out, len, "%.1f %s", v, unit[u]);
}

/* Decode one UTF-8 sequence; returns its length, or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
					     : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || (n == 2 && s[0] < 0xC2))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			p++;
		} else if (c < 0x20 || c == 0x7F) {
			fprintf(f, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			fputc(c, f);
			p++;
		} else {
			size_t n = utf8_len(p);
			if (n == 0) {
				/* JSON must be UTF-8: show a stray byte as U+FFFD. */
				fputs("\\ufffd", f);
				p++;
			} else {
				fwrite(p, 1, n, f);
				p += n;
			}
		}
	}
	fputc('"', f);
}

void print_escaped(FILE *f, const char *s)
{
	/* Control characters would let a hostile name rewrite the terminal.
	 * Plain runs are written whole: this is the hot path of ls -R. */
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s;; p++) {
		unsigned char ch = *p;
		if (ch >= 0x20 && ch != 0x7F && ch != '\\')
			continue;
		if ((const char *)p > run)
			fwrite_unlocked(run, 1, (size_t)((const char *)p - run), f);
		if (ch == 0)
			break;
		if (ch == '\\')
			fputs_unlocked("\\\\", f);
		else
			fprintf(f, "\\x%02x", ch);
		run = (const char *)p + 1;
	}
}
