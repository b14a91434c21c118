/*
 * Device-mapper tables: dmsetup's text syntax parsed and checked, and the
 * sector arithmetic of the targets (see dm_table_parse.h). Pure: no
 * allocation, no I/O; the kernel side and the host tests share it.
 *
 * Parsing works on a copy of each line split into whitespace-separated
 * tokens; every argument is consumed through one cursor (struct dm_tokens)
 * so that "missing" and "extra" arguments are found in one place and every
 * error names the field it was reading.
 */
#include "block/dm/dm_table_parse.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DM_MAX_TOKENS (8 + 2 * DM_MAX_DEVS)

static const char *const dm_kind_names[DM_TARGET_KIND_COUNT] = {
	[DM_TARGET_LINEAR] = "linear",
	[DM_TARGET_STRIPED] = "striped",
	[DM_TARGET_MIRROR] = "mirror",
	[DM_TARGET_ERROR] = "error",
	[DM_TARGET_ZERO] = "zero",
	[DM_TARGET_FLAKEY] = "flakey",
	[DM_TARGET_DELAY] = "delay",
};

const char *dm_target_kind_name(enum dm_target_kind kind)
{
	return (unsigned int)kind < DM_TARGET_KIND_COUNT ? dm_kind_names[kind] : NULL;
}

static bool is_pow2(u64 x)
{
	return x && (x & (x - 1)) == 0;
}

static int dm_error_set(struct dm_table_error *err, u32 line, const char *field, const char *msg)
{
	err->line = line;
	strlcpy(err->field, field, sizeof(err->field));
	strlcpy(err->msg, msg, sizeof(err->msg));
	return -EINVAL;
}

/* The tokens of one line and a cursor over them. */
struct dm_tokens {
	char *tok[DM_MAX_TOKENS];
	u32 nr, next;
	u32 line;
	struct dm_table_error *err;
};

static const char *dm_tok_next(struct dm_tokens *tk, const char *field)
{
	if (tk->next >= tk->nr) {
		dm_error_set(tk->err, tk->line, field, "missing");
		return NULL;
	}
	return tk->tok[tk->next++];
}

static int dm_tok_u64(struct dm_tokens *tk, const char *field, u64 *out)
{
	const char *s = dm_tok_next(tk, field);

	if (!s)
		return -EINVAL;
	if (parse_u64(s, out))
		return dm_error_set(tk->err, tk->line, field, "not a number");
	return 0;
}

static int dm_tok_u32(struct dm_tokens *tk, const char *field, u32 min, u32 max, u32 *out)
{
	u64 v;

	if (dm_tok_u64(tk, field, &v))
		return -EINVAL;
	if (v < min || v > max) {
		char msg[64];

		snprintf(msg, sizeof(msg), "must be %u..%u", min, max);
		return dm_error_set(tk->err, tk->line, field, msg);
	}
	*out = (u32)v;
	return 0;
}

static int dm_tok_dev(struct dm_tokens *tk, struct dm_dev_spec *dev)
{
	const char *name = dm_tok_next(tk, "dev");

	if (!name)
		return -EINVAL;
	if (strlen(name) >= sizeof(dev->name))
		return dm_error_set(tk->err, tk->line, "dev", "name too long");
	strlcpy(dev->name, name, sizeof(dev->name));
	return dm_tok_u64(tk, "offset", &dev->offset);
}

static int dm_parse_linear(struct dm_tokens *tk, struct dm_target_spec *ts)
{
	ts->nr_devs = 1;
	return dm_tok_dev(tk, &ts->devs[0]);
}

static int dm_parse_striped(struct dm_tokens *tk, struct dm_target_spec *ts)
{
	u32 chunk;

	if (dm_tok_u32(tk, "stripes", 1, DM_MAX_DEVS, &ts->nr_devs) ||
	    dm_tok_u32(tk, "chunk_size", 1, 1U << 24, &chunk))
		return -EINVAL;
	if (!is_pow2(chunk))
		return dm_error_set(tk->err, tk->line, "chunk_size", "not a power of two");
	ts->striped.chunk_sectors = chunk;
	ts->striped.chunk_shift = (u32)__builtin_ctz(chunk);
	for (u32 i = 0; i < ts->nr_devs; i++)
		if (dm_tok_dev(tk, &ts->devs[i]))
			return -EINVAL;
	if (ts->len % ((u64)chunk * ts->nr_devs))
		return dm_error_set(tk->err, tk->line, "length",
				    "not a whole number of chunks per stripe");
	return 0;
}

static int dm_parse_mirror(struct dm_tokens *tk, struct dm_target_spec *ts)
{
	const char *log = dm_tok_next(tk, "log_type"), *s;
	u32 nr_log_args, nr_features;

	if (!log)
		return -EINVAL;
	if (strcmp(log, "core"))
		return dm_error_set(tk->err, tk->line, "log_type", "only 'core' (in memory)");
	if (dm_tok_u32(tk, "log_args", 1, 2, &nr_log_args) ||
	    dm_tok_u32(tk, "region_size", 1, 1U << 24, &ts->mirror.region_sectors))
		return -EINVAL;
	if (!is_pow2(ts->mirror.region_sectors))
		return dm_error_set(tk->err, tk->line, "region_size", "not a power of two");
	if (nr_log_args == 2) {
		s = dm_tok_next(tk, "log_args");
		if (!s)
			return -EINVAL;
		if (!strcmp(s, "nosync"))
			ts->mirror.nosync = true;
		else if (strcmp(s, "sync"))
			return dm_error_set(tk->err, tk->line, "log_args", "sync or nosync");
	}
	if (dm_tok_u32(tk, "legs", 2, DM_MAX_DEVS, &ts->nr_devs))
		return -EINVAL;
	for (u32 i = 0; i < ts->nr_devs; i++)
		if (dm_tok_dev(tk, &ts->devs[i]))
			return -EINVAL;
	if (tk->next == tk->nr)
		return 0;
	if (dm_tok_u32(tk, "features", 0, 1, &nr_features))
		return -EINVAL;
	if (nr_features) {
		s = dm_tok_next(tk, "features");
		if (!s)
			return -EINVAL;
		if (strcmp(s, "handle_errors"))
			return dm_error_set(tk->err, tk->line, "features", "only handle_errors");
		ts->mirror.handle_errors = true;
	}
	return 0;
}

static int dm_parse_flakey(struct dm_tokens *tk, struct dm_target_spec *ts)
{
	u32 nr_features;
	const char *s;

	ts->nr_devs = 1;
	if (dm_tok_dev(tk, &ts->devs[0]) ||
	    dm_tok_u32(tk, "up", 0, 86400, &ts->flakey.up_seconds) ||
	    dm_tok_u32(tk, "down", 0, 86400, &ts->flakey.down_seconds))
		return -EINVAL;
	if (!ts->flakey.up_seconds && !ts->flakey.down_seconds)
		return dm_error_set(tk->err, tk->line, "down", "up and down both 0");
	ts->flakey.mode = DM_FLAKEY_ERROR_ALL;
	if (tk->next == tk->nr)
		return 0;
	if (dm_tok_u32(tk, "features", 0, 1, &nr_features))
		return -EINVAL;
	if (!nr_features)
		return 0;
	s = dm_tok_next(tk, "features");
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "drop_writes"))
		ts->flakey.mode = DM_FLAKEY_DROP_WRITES;
	else if (!strcmp(s, "error_writes"))
		ts->flakey.mode = DM_FLAKEY_ERROR_WRITES;
	else
		return dm_error_set(tk->err, tk->line, "features", "drop_writes or error_writes");
	return 0;
}

static int dm_parse_delay(struct dm_tokens *tk, struct dm_target_spec *ts)
{
	ts->nr_devs = 1;
	if (dm_tok_dev(tk, &ts->devs[0]) ||
	    dm_tok_u32(tk, "delay", 0, 60000, &ts->delay.read_ms))
		return -EINVAL;
	ts->delay.write_ms = ts->delay.read_ms;
	if (tk->next == tk->nr)
		return 0;
	ts->nr_devs = 2;
	return dm_tok_dev(tk, &ts->devs[1]) ||
	       dm_tok_u32(tk, "write_delay", 0, 60000, &ts->delay.write_ms) ? -EINVAL : 0;
}

static int dm_parse_line(char *line, u32 lineno, u64 expect_start, struct dm_target_spec *ts,
			 struct dm_table_error *err)
{
	struct dm_tokens tk = { .line = lineno, .err = err };
	const char *kind;
	char *p = line;
	int ret;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			*p++ = '\0';
		if (!*p)
			break;
		if (tk.nr == DM_MAX_TOKENS)
			return dm_error_set(err, lineno, "args", "too many arguments");
		tk.tok[tk.nr++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
	}
	memset(ts, 0, sizeof(*ts));
	if (dm_tok_u64(&tk, "start", &ts->start) || dm_tok_u64(&tk, "length", &ts->len))
		return -EINVAL;
	if (ts->start < expect_start)
		return dm_error_set(err, lineno, "start", "overlaps the previous line");
	if (ts->start > expect_start)
		return dm_error_set(err, lineno, "start",
				    expect_start ? "gap after the previous line"
						 : "the first line must start at 0");
	if (!ts->len)
		return dm_error_set(err, lineno, "length", "zero");
	if (ts->len > (1ULL << 48) || ts->start + ts->len > (1ULL << 48))
		return dm_error_set(err, lineno, "length", "too large");
	kind = dm_tok_next(&tk, "target");
	if (!kind)
		return -EINVAL;
	for (ts->kind = 0; ts->kind < DM_TARGET_KIND_COUNT; ts->kind++)
		if (!strcmp(kind, dm_kind_names[ts->kind]))
			break;
	switch (ts->kind) {
	case DM_TARGET_LINEAR:
		ret = dm_parse_linear(&tk, ts);
		break;
	case DM_TARGET_STRIPED:
		ret = dm_parse_striped(&tk, ts);
		break;
	case DM_TARGET_MIRROR:
		ret = dm_parse_mirror(&tk, ts);
		break;
	case DM_TARGET_ERROR:
	case DM_TARGET_ZERO:
		ret = 0;
		break;
	case DM_TARGET_FLAKEY:
		ret = dm_parse_flakey(&tk, ts);
		break;
	case DM_TARGET_DELAY:
		ret = dm_parse_delay(&tk, ts);
		break;
	default:
		return dm_error_set(err, lineno, "target", "unknown target type");
	}
	if (ret)
		return ret;
	if (tk.next != tk.nr)
		return dm_error_set(err, lineno, "args", "too many arguments");
	return 0;
}

int dm_table_parse(const char *text, struct dm_table_spec *out, struct dm_table_error *err)
{
	char buf[DM_TABLE_TEXT_MAX];
	u32 lineno = 0;
	char *p = buf;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (strlen(text) >= sizeof(buf))
		return dm_error_set(err, 0, "table", "too long");
	strlcpy(buf, text, sizeof(buf));
	while (p) {
		char *line = p, *end = p;
		bool blank = true;

		while (*end && *end != ';' && *end != '\n')
			end++;
		p = *end ? end + 1 : NULL;
		*end = '\0';
		for (char *c = line; *c; c++)
			if (*c != ' ' && *c != '\t' && *c != '\r')
				blank = false;
		if (blank)
			continue;
		lineno++;
		if (out->nr_targets == DM_MAX_TARGETS)
			return dm_error_set(err, lineno, "table", "too many lines");
		if (dm_parse_line(line, lineno, out->sectors, &out->targets[out->nr_targets], err))
			return -EINVAL;
		out->sectors += out->targets[out->nr_targets].len;
		out->nr_targets++;
	}
	if (!out->nr_targets)
		return dm_error_set(err, 0, "table", "empty");
	return 0;
}

u64 dm_target_dev_sectors(const struct dm_target_spec *ts, u32 dev)
{
	(void)dev;
	if (ts->kind == DM_TARGET_STRIPED)
		return ts->len / ts->nr_devs;
	return ts->len;
}

int dm_table_check(const struct dm_table_spec *t, dm_disk_lookup_fn lookup, void *ctx,
		   struct dm_table_error *err)
{
	memset(err, 0, sizeof(*err));
	for (u32 i = 0; i < t->nr_targets; i++) {
		const struct dm_target_spec *ts = &t->targets[i];

		for (u32 d = 0; d < ts->nr_devs; d++) {
			const struct dm_dev_spec *dev = &ts->devs[d];
			u64 need = dm_target_dev_sectors(ts, d);
			struct dm_disk_info info;
			u32 block;

			if (lookup(ctx, dev->name, &info)) {
				dm_error_set(err, i + 1, "dev", "no such disk: ");
				strlcat(err->msg, dev->name, sizeof(err->msg));
				return -ENODEV;
			}
			block = info.logical_block_size >> 9;
			if (dev->offset > info.sectors || need > info.sectors - dev->offset) {
				dm_error_set(err, i + 1, "offset", "past the end of ");
				strlcat(err->msg, dev->name, sizeof(err->msg));
				return -EINVAL;
			}
			if (block > 1 && dev->offset % block)
				return dm_error_set(err, i + 1, "offset",
						    "not a multiple of the disk's block size");
			if (block > 1 && (ts->start % block || ts->len % block))
				return dm_error_set(err, i + 1, "length",
						    "not a multiple of a parent's block size");
			if (block > 1 && ts->kind == DM_TARGET_STRIPED &&
			    ts->striped.chunk_sectors % block)
				return dm_error_set(err, i + 1, "chunk_size",
						    "smaller than a parent's block size");
		}
	}
	return 0;
}

int dm_table_find(const struct dm_table_spec *t, u64 sector)
{
	u32 lo = 0, hi = t->nr_targets;

	if (sector >= t->sectors)
		return -1;
	while (hi - lo > 1) {
		u32 mid = (lo + hi) / 2;

		if (t->targets[mid].start <= sector)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo;
}

void dm_target_map(const struct dm_target_spec *ts, u64 sector, bool write, struct dm_map *out)
{
	u64 rel = sector - ts->start;

	out->dev = 0;
	out->max_sectors = ts->len - rel;
	switch (ts->kind) {
	case DM_TARGET_STRIPED: {
		u32 shift = ts->striped.chunk_shift;
		u64 chunk = rel >> shift, in_chunk = rel & (ts->striped.chunk_sectors - 1);

		out->dev = (u32)(chunk % ts->nr_devs);
		out->sector = ts->devs[out->dev].offset + ((chunk / ts->nr_devs) << shift) +
			      in_chunk;
		out->max_sectors = ts->striped.chunk_sectors - in_chunk;
		break;
	}
	case DM_TARGET_MIRROR: {
		u64 region_end = (dm_mirror_region(ts, rel) + 1) * ts->mirror.region_sectors;

		out->sector = ts->devs[0].offset + rel;
		out->max_sectors = min(region_end, ts->len) - rel;
		break;
	}
	case DM_TARGET_DELAY:
		if (write && ts->nr_devs == 2)
			out->dev = 1;
		out->sector = ts->devs[out->dev].offset + rel;
		break;
	case DM_TARGET_ERROR:
	case DM_TARGET_ZERO:
		out->sector = rel;
		break;
	default:
		out->sector = ts->devs[0].offset + rel;
	}
}

int dm_mirror_read_leg(u32 nr_legs, u32 usable, bool in_sync, u32 default_leg, u32 *cursor)
{
	if (!in_sync)
		return usable & (1U << default_leg) ? (int)default_leg : -1;
	for (u32 n = 0; n < nr_legs; n++) {
		u32 leg = (*cursor + n) % nr_legs;

		if (usable & (1U << leg)) {
			*cursor = leg + 1;
			return (int)leg;
		}
	}
	return -1;
}

bool dm_flakey_is_up(const struct dm_target_spec *ts, u64 ms)
{
	u64 up = (u64)ts->flakey.up_seconds * 1000, period = up + ts->flakey.down_seconds * 1000ULL;

	return ms % period < up;
}
