// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Parser of the signed revocation list; see digsig_revocation.h and
 * docs/format.md section 11.
 */
#include "digsig_revocation.h"
#include "digsig_bytes.h"
#include "digsig_format.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define MAX_SEQUENCE_DIGITS 18

static int hex_value(u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* upper case is not canonical */
}

/* Length of the line at @p (up to its '\n', excluded), or -1 without one. */
static long line_length(const u8 *p, u32 avail)
{
	u32 i;

	for (i = 0; i < avail; i++)
		if (p[i] == '\n')
			return i;
	return -1;
}

/* Decodes @n hex digits (n even) into @out; 0 or -EBADMSG. */
static int decode_hex(const u8 *hex, u32 n, u8 *out)
{
	u32 i;

	for (i = 0; i < n; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i / 2] = (u8)(hi << 4 | lo);
	}
	return 0;
}

static int starts_with(const u8 *line, u32 len, const char *word)
{
	size_t n = strlen(word);

	return len > n && memcmp(line, word, n) == 0;
}

/* Parses one entry line (without its '\n'). */
static int parse_entry(const u8 *line, u32 len, struct digsig_rl_entry *out)
{
	static const struct {
		const char *word;
		u8 hash_algo;
	} kinds[] = {
		{ "key ", 0 },
		{ "sha256 ", DIGSIG_HASH_SHA256 },
		{ "sha384 ", DIGSIG_HASH_SHA384 },
		{ "sha512 ", DIGSIG_HASH_SHA512 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		u32 skip = (u32)strlen(kinds[i].word);
		u32 hex = len - skip;

		if (!starts_with(line, len, kinds[i].word))
			continue;
		if (hex % 2 || hex / 2 > DIGSIG_RL_MAX_KEY_ID)
			return -EBADMSG;
		if (kinds[i].hash_algo) {
			if (hex / 2 != digsig_digest_len(kinds[i].hash_algo))
				return -EBADMSG;
			out->kind = DIGSIG_RL_DIGEST;
		} else {
			out->kind = DIGSIG_RL_KEY;
		}
		out->hash_algo = kinds[i].hash_algo;
		out->len = (u8)(hex / 2);
		return decode_hex(line + skip, hex, out->id);
	}
	return -EBADMSG;
}

/* "sequence N\n": N decimal, no sign, no leading zero, at least 1. */
static int parse_sequence(const u8 *line, u32 len, u64 *out)
{
	static const char word[] = "sequence ";
	u32 skip = sizeof(word) - 1, i;
	u64 v = 0;

	if (!starts_with(line, len, word) || len - skip > MAX_SEQUENCE_DIGITS)
		return -EBADMSG;
	if (line[skip] == '0')
		return -EBADMSG;
	for (i = skip; i < len; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -EBADMSG;
		v = v * 10 + (line[i] - '0');
	}
	*out = v;
	return 0;
}

/* Entry lines must be in strictly ascending byte order (canonical, unique). */
static int ascending(const u8 *prev, u32 prev_len, const u8 *line, u32 len)
{
	u32 n = prev_len < len ? prev_len : len;
	int c = memcmp(prev, line, n);

	return c < 0 || (c == 0 && prev_len < len);
}

int digsig_rl_parse(const u8 *data, u64 len, struct digsig_rl *out)
{
	const u8 *prev = NULL;
	u32 prev_len = 0, pos, body_len, sig_len;
	size_t header_len = strlen(DIGSIG_RL_HEADER);
	long n;

	if (len < DIGSIG_RL_TRAILER_SIZE || len > DIGSIG_RL_MAX_FILE)
		return -EBADMSG;
	if (memcmp(data + len - DIGSIG_RL_MAGIC_SIZE, DIGSIG_RL_MAGIC, DIGSIG_RL_MAGIC_SIZE) != 0)
		return -EBADMSG;
	sig_len = digsig_get_be32(data + len - DIGSIG_RL_TRAILER_SIZE);
	if (sig_len == 0 || sig_len > DIGSIG_RL_MAX_SIG || sig_len > len - DIGSIG_RL_TRAILER_SIZE)
		return -EBADMSG;
	body_len = (u32)(len - DIGSIG_RL_TRAILER_SIZE - sig_len);
	if (body_len > DIGSIG_RL_MAX_BODY || body_len < header_len ||
	    memcmp(data, DIGSIG_RL_HEADER, header_len) != 0)
		return -EBADMSG;
	out->body = data;
	out->body_len = body_len;
	out->sig = data + body_len;
	out->sig_len = sig_len;
	out->keys = 0;
	out->digests = 0;
	pos = (u32)header_len;
	n = line_length(data + pos, body_len - pos);
	if (n < 0 || parse_sequence(data + pos, (u32)n, &out->sequence))
		return -EBADMSG;
	pos += (u32)n + 1;
	out->entries_offset = pos;
	while (pos < body_len) {
		struct digsig_rl_entry e;

		n = line_length(data + pos, body_len - pos);
		if (n < 0 || parse_entry(data + pos, (u32)n, &e))
			return -EBADMSG;
		if (prev && !ascending(prev, prev_len, data + pos, (u32)n))
			return -EBADMSG;
		if (e.kind == DIGSIG_RL_KEY)
			out->keys++;
		else
			out->digests++;
		prev = data + pos;
		prev_len = (u32)n;
		pos += (u32)n + 1;
	}
	return 0;
}

int digsig_rl_next(const struct digsig_rl *rl, u32 *pos, struct digsig_rl_entry *out)
{
	long n;

	if (*pos >= rl->body_len)
		return 0;
	n = line_length(rl->body + *pos, rl->body_len - *pos);
	if (n < 0 || parse_entry(rl->body + *pos, (u32)n, out))
		return -EBADMSG;
	*pos += (u32)n + 1;
	return 1;
}
