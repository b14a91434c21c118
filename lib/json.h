/*
 * A streaming JSON writer for commands that print JSON (`lsblk --json`,
 * `bench --output-format=json`, ...) and for the host tools that parse it.
 *
 * The caller says what comes next (begin an object, a key, a number, end
 * the object) and the writer adds the commas, quotes and escapes, so every
 * command's output parses whatever its strings hold. It needs no memory
 * beyond its own structure: a fixed stack of open containers, and a small
 * buffer that reaches the sink (the console, or a test's buffer) in a few
 * large writes rather than one per token.
 *
 * The output is compact, one document on one line (as `jq -c` prints it),
 * which is what the QEMU tests read from the serial console.
 *
 * Strings are printable ASCII on output, whatever bytes they hold:
 *   - '"' and '\' are escaped, \b \f \n \r \t take their short forms, the
 *     other bytes below 0x20 and DEL (0x7f) are \u00XX;
 *   - a well-formed UTF-8 sequence becomes its code point as \uXXXX (a
 *     surrogate pair above U+FFFF), so text a device reports in UTF-8 reads
 *     back the same;
 *   - bytes that are not well-formed UTF-8 become U+FFFD, one per maximal
 *     ill-formed subpart (Unicode's recommended practice, what Python's
 *     bytes.decode("utf-8", "replace") gives), so a binary identify field
 *     cannot make the document invalid.
 * Numbers are 64-bit integers, or fixed-point decimals with a chosen number
 * of fraction digits (the kernel has no floating point): 5000500 with 3
 * digits is 5000.500.
 *
 * Misuse (a key outside an object or twice in a row, a value in an object
 * without its key, a close that does not match, nesting beyond
 * JSON_DEPTH_MAX, a second top-level value) does not crash: the writer
 * records the first error, writes nothing more, and json_finish() returns
 * it. Not thread-safe; one writer per document.
 */
#ifndef LIB_JSON_H
#define LIB_JSON_H

#include "lib/types.h"

#define JSON_DEPTH_MAX 32		/* open objects/arrays; one bit each below */
#define JSON_BUF_LEN 128
/* the most fraction digits json_fixed takes (10^19 is the largest power of ten in a u64) */
#define JSON_FIXED_DIGITS_MAX 19

typedef void (*json_write_fn)(void *arg, const char *s, size_t n);

struct json_writer {
	json_write_fn write;
	void *arg;
	int error;		/* first misuse, a negative errno; 0 while fine */
	unsigned int depth;	/* containers open */
	u32 is_object;		/* bit d: the container at depth d + 1 is an object */
	u32 has_member;		/* bit d: it holds a member already (the next needs a comma) */
	bool key_pending;	/* a key was written, its value comes next */
	bool done;		/* the top-level value is complete */
	size_t used;		/* bytes in buf not yet written */
	char buf[JSON_BUF_LEN];
};

/* Start a document that goes to write(arg, s, n). */
void json_init(struct json_writer *w, json_write_fn write, void *arg);

/*
 * End the document: a newline after it, everything buffered passed to the
 * sink. Returns 0, or the first misuse (-EINVAL; -E2BIG for nesting too
 * deep), or -EINVAL when the document is not complete (a container left
 * open, no value at all). The newline is written in every case, so that
 * what follows starts on a line of its own.
 */
int json_finish(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);

/* The name of the next member of the current object (escaped as a string is). */
void json_key(struct json_writer *w, const char *key);

/* A string value; NULL writes null. */
void json_string(struct json_writer *w, const char *s);
/* The n bytes at s, NULs included, as a string value. */
void json_string_n(struct json_writer *w, const char *s, size_t n);
/* A string value formatted by snprintf (at most 127 characters are kept). */
void json_stringf(struct json_writer *w, const char *fmt, ...) __printf(2, 3);
void json_u64(struct json_writer *w, u64 v);
void json_s64(struct json_writer *w, s64 v);
/* v / 10^digits with exactly digits fraction digits (0 .. JSON_FIXED_DIGITS_MAX). */
void json_fixed(struct json_writer *w, u64 v, unsigned int digits);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* A key and its value, the common case in one call. */
void json_field_str(struct json_writer *w, const char *key, const char *s);
void json_field_u64(struct json_writer *w, const char *key, u64 v);
void json_field_s64(struct json_writer *w, const char *key, s64 v);
void json_field_fixed(struct json_writer *w, const char *key, u64 v, unsigned int digits);
void json_field_bool(struct json_writer *w, const char *key, bool v);

#endif
