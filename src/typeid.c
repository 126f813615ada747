/*-------------------------------------------------------------------------
 *
 * typeid.c
 *	  Prefixed text form of fenta's uuid keys, in the TypeID format.
 *
 * A TypeID (spec 0.3.0, https://github.com/jetify-com/typeid) is a type
 * prefix, an underscore and a 26-character suffix that encodes the 128 bits
 * of a UUID in lower-case Crockford base32, most significant bits first:
 *
 *	 org_01h455vb4pex5vsknk084sn02q
 *
 * The suffix encodes 130 bits, of which the top two are always zero, so its
 * first character is 0-7.  The prefix has 0 to 63 characters from [a-z_],
 * starts and ends with a letter, and when it is empty the underscore is left
 * out too.  Since the prefix may contain underscores, a TypeID is split at
 * its last underscore.
 *
 * Unlike Crockford's own decoder, TypeID accepts neither upper case, nor the
 * look-alikes i, l and o, nor hyphens.
 *
 *-------------------------------------------------------------------------
 */
#include "fenta.h"

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(fenta_typeid_encode);
PG_FUNCTION_INFO_V1(fenta_typeid_decode);
PG_FUNCTION_INFO_V1(fenta_typeid_prefix);

/* Longest prefix allowed by the spec. */
#define TYPEID_PREFIX_MAX	63

/* Length of the base32 suffix. */
#define TYPEID_SUFFIX_LEN	26

/* Bytes of an offending input quoted in an error message. */
#define TYPEID_QUOTE_MAX	64

/* The TypeID alphabet: Crockford's base32, lower case. */
static const char typeid_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* Value of each byte in typeid_alphabet, -1 for every other byte. */
static const int8 typeid_decoding[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, 16, 17, -1, 18, 19, -1, 20, 21, -1,
	22, 23, 24, 25, 26, -1, 27, 28, 29, 30, 31, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/*
 * A printable, bounded copy of user input for an error message: at most
 * TYPEID_QUOTE_MAX bytes (cut at a character boundary, "..." appended), with
 * control characters, and every non-ASCII byte if the text is not valid in
 * the database encoding, replaced by '?'.
 */
static char *
quote_for_message(const char *s, int len)
{
	int			keep = len;
	bool		cut = false;
	bool		valid;
	char	   *out;
	int			i;

	if (len > TYPEID_QUOTE_MAX)
	{
		keep = pg_mbcliplen(s, len, TYPEID_QUOTE_MAX);
		cut = true;
	}

	out = palloc(keep + 4);
	memcpy(out, s, keep);
	out[keep] = '\0';

	valid = pg_verifymbstr(out, keep, true);
	for (i = 0; i < keep; i++)
	{
		unsigned char c = (unsigned char) out[i];

		if (c < 0x20 || c == 0x7f || (!valid && c >= 0x80))
			out[i] = '?';
	}
	if (cut)
		memcpy(out + keep, "...", sizeof("..."));

	return out;
}

/*
 * How an unexpected byte is named in an error detail: the character itself
 * if it is printable ASCII, its code if it is an ASCII control character.
 * Bytes of non-ASCII characters are not quoted, so the message does not
 * depend on the database encoding.
 */
static char *
describe_char(unsigned char c)
{
	if (c >= 0x80)
		return pstrdup("a non-ASCII character");
	if (c < 0x20 || c == 0x7f)
		return psprintf("the control character 0x%02x", c);
	if (c >= 'A' && c <= 'Z')
		return psprintf("the upper-case letter \"%c\"", c);
	return psprintf("\"%c\"", c);
}

/*
 * Check a TypeID prefix of len bytes, found at the start of the user's
 * input; NULL if it is valid, else a sentence that says what is wrong.
 */
static char *
check_prefix(const char *p, int len)
{
	int			i;

	if (len > TYPEID_PREFIX_MAX)
	{
		int			nchars = pg_mbstrlen_with_len(p, len);

		if (nchars > TYPEID_PREFIX_MAX)
			return psprintf("The prefix has %d characters; at most %d are allowed.",
							nchars, TYPEID_PREFIX_MAX);
		/* else it holds multi-byte characters, reported below */
	}

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) p[i];

		if ((c >= 'a' && c <= 'z') || c == '_')
			continue;
		/* Every byte before this one is ASCII: bytes count characters. */
		if (c >= 'A' && c <= 'Z')
			return psprintf("The prefix contains %s at position %d; TypeID prefixes are lower case.",
							describe_char(c), i + 1);
		return psprintf("The prefix contains %s at position %d; only the letters a-z and underscores are allowed.",
						describe_char(c), i + 1);
	}

	if (len > 0 && p[0] == '_')
		return pstrdup("The prefix starts with an underscore.");
	if (len > 0 && p[len - 1] == '_')
		return pstrdup("The prefix ends with an underscore.");

	return NULL;
}

/*
 * Raise 22023 if a prefix given as an argument (not as part of a TypeID) is
 * not a valid TypeID prefix.
 */
static void
ensure_valid_prefix_argument(text *prefix)
{
	const char *p = VARDATA_ANY(prefix);
	int			len = VARSIZE_ANY_EXHDR(prefix);
	char	   *problem = check_prefix(p, len);

	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid typeid prefix \"%s\"",
						quote_for_message(p, len)),
				 errdetail("%s", problem)));
}

/*
 * Raise 22P02 for a malformed TypeID, with detail saying what is wrong.
 */
static void
report_invalid_typeid(const char *s, int len, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid typeid \"%s\"", quote_for_message(s, len)),
			 errdetail("%s", problem)));
}

/*
 * Split and validate a TypeID: set *prefix and *prefix_len to its prefix
 * (pointing into input, length 0 if it has none) and fill *uuid with the
 * decoded suffix.  Any syntax error is raised as 22P02.
 */
static void
parse_typeid(text *input, const char **prefix, int *prefix_len,
			 pg_uuid_t *uuid)
{
	const char *s = VARDATA_ANY(input);
	int			len = VARSIZE_ANY_EXHDR(input);
	const char *suffix;
	int			suffix_len;
	int			suffix_pos;
	int			sep;
	char	   *problem;
	uint64		hi = 0;
	uint64		lo = 0;
	int			i;

	if (len == 0)
		report_invalid_typeid(s, len, "The input is empty.");

	/* The prefix may contain underscores: split at the last one. */
	for (sep = len - 1; sep >= 0; sep--)
	{
		if (s[sep] == '_')
			break;
	}

	if (sep == 0)
		report_invalid_typeid(s, len,
							  "The separator \"_\" is present but the prefix before it is empty.");

	if (sep > 0)
	{
		problem = check_prefix(s, sep);
		if (problem != NULL)
			report_invalid_typeid(s, len, problem);
		*prefix = s;
		*prefix_len = sep;
	}
	else
	{
		*prefix = s;
		*prefix_len = 0;
	}

	/* The prefix is ASCII now, so byte offsets are character positions. */
	suffix_pos = sep + 1;
	suffix = s + suffix_pos;
	suffix_len = len - suffix_pos;

	if (suffix_len != TYPEID_SUFFIX_LEN)
	{
		int			nchars = pg_mbstrlen_with_len(suffix, suffix_len);

		if (nchars != TYPEID_SUFFIX_LEN)
			report_invalid_typeid(s, len,
								  psprintf("The suffix has %d characters; it must have exactly %d.",
										   nchars, TYPEID_SUFFIX_LEN));
		/* else it holds multi-byte characters, reported below */
	}

	for (i = 0; i < suffix_len; i++)
	{
		unsigned char c = (unsigned char) suffix[i];
		int8		v = typeid_decoding[c];

		if (v < 0)
		{
			if (c >= 'A' && c <= 'Z')
				problem = psprintf("The suffix contains %s at position %d; TypeIDs are lower case.",
								   describe_char(c), suffix_pos + i + 1);
			else
				problem = psprintf("The suffix contains %s at position %d, which is not in the TypeID alphabet \"%s\".",
								   describe_char(c), suffix_pos + i + 1,
								   typeid_alphabet);
			report_invalid_typeid(s, len, problem);
		}
		if (i == 0 && v > 7)
			report_invalid_typeid(s, len,
								  psprintf("The suffix starts with \"%c\" but must start with 0-7: it would encode more than 128 bits.",
										   c));

		hi = (hi << 5) | (lo >> 59);
		lo = (lo << 5) | (uint64) v;
	}

	for (i = 0; i < 8; i++)
	{
		uuid->data[i] = (uint8) (hi >> (56 - 8 * i));
		uuid->data[8 + i] = (uint8) (lo >> (56 - 8 * i));
	}
}

/*
 * fenta.typeid_encode(prefix text, id uuid) returns text
 *
 * The TypeID of a uuid with the given type prefix ('' for none).
 */
Datum
fenta_typeid_encode(PG_FUNCTION_ARGS)
{
	text	   *prefix = PG_GETARG_TEXT_PP(0);
	pg_uuid_t  *uuid = PG_GETARG_UUID_P(1);
	int			prefix_len = VARSIZE_ANY_EXHDR(prefix);
	int			out_len;
	text	   *result;
	char	   *out;
	uint64		hi = 0;
	uint64		lo = 0;
	int			i;

	ensure_valid_prefix_argument(prefix);

	out_len = prefix_len + (prefix_len > 0 ? 1 : 0) + TYPEID_SUFFIX_LEN;
	result = (text *) palloc(VARHDRSZ + out_len);
	SET_VARSIZE(result, VARHDRSZ + out_len);
	out = VARDATA(result);

	if (prefix_len > 0)
	{
		memcpy(out, VARDATA_ANY(prefix), prefix_len);
		out[prefix_len] = '_';
		out += prefix_len + 1;
	}

	for (i = 0; i < 8; i++)
	{
		hi = (hi << 8) | uuid->data[i];
		lo = (lo << 8) | uuid->data[8 + i];
	}

	/* Five bits at a time from the least significant end. */
	for (i = TYPEID_SUFFIX_LEN - 1; i >= 0; i--)
	{
		out[i] = typeid_alphabet[lo & 0x1F];
		lo = (lo >> 5) | (hi << 59);
		hi >>= 5;
	}

	PG_FREE_IF_COPY(prefix, 0);
	PG_RETURN_TEXT_P(result);
}

/*
 * fenta.typeid_decode(typeid text, expected_prefix text) returns uuid
 *
 * The uuid of a TypeID, which must carry expected_prefix ('' for none).
 */
Datum
fenta_typeid_decode(PG_FUNCTION_ARGS)
{
	text	   *input = PG_GETARG_TEXT_PP(0);
	text	   *expected = PG_GETARG_TEXT_PP(1);
	const char *expected_str = VARDATA_ANY(expected);
	int			expected_len = VARSIZE_ANY_EXHDR(expected);
	pg_uuid_t  *uuid = palloc(sizeof(pg_uuid_t));
	const char *prefix;
	int			prefix_len;

	ensure_valid_prefix_argument(expected);
	parse_typeid(input, &prefix, &prefix_len, uuid);

	if (prefix_len != expected_len ||
		memcmp(prefix, expected_str, prefix_len) != 0)
	{
		char	   *problem;

		/* Both prefixes are valid, hence short and printable. */
		if (expected_len == 0)
			problem = psprintf("Expected no prefix, found prefix \"%.*s\".",
							   prefix_len, prefix);
		else if (prefix_len == 0)
			problem = psprintf("Expected prefix \"%.*s\", found no prefix.",
							   expected_len, expected_str);
		else
			problem = psprintf("Expected prefix \"%.*s\", found prefix \"%.*s\".",
							   expected_len, expected_str,
							   prefix_len, prefix);
		report_invalid_typeid(VARDATA_ANY(input), VARSIZE_ANY_EXHDR(input),
							  problem);
	}

	PG_FREE_IF_COPY(input, 0);
	PG_FREE_IF_COPY(expected, 1);
	PG_RETURN_UUID_P(uuid);
}

/*
 * fenta.typeid_prefix(typeid text) returns text
 *
 * The prefix of a valid TypeID ('' if it has none).
 */
Datum
fenta_typeid_prefix(PG_FUNCTION_ARGS)
{
	text	   *input = PG_GETARG_TEXT_PP(0);
	pg_uuid_t	uuid;
	const char *prefix;
	int			prefix_len;

	parse_typeid(input, &prefix, &prefix_len, &uuid);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(prefix, prefix_len));
}
