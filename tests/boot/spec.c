#include "spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p;      /* cursor inside the current line */
	const char *end;    /* end of the current line */
	int line;
	char *err;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	int n = snprintf(ps->err, SPEC_ERROR_MAX, "%d: ", ps->line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, SPEC_ERROR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static int at_end(struct parser *ps)
{
	skip_space(ps);
	return ps->p == ps->end || *ps->p == '#';
}

/* A bare word: everything up to the next blank. */
static int word(struct parser *ps, char *buf, size_t size, const char *what)
{
	skip_space(ps);
	const char *start = ps->p;
	while (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t')
		ps->p++;
	size_t len = (size_t)(ps->p - start);
	if (len == 0)
		return fail(ps, "missing %s", what);
	if (len >= size)
		return fail(ps, "%s is too long", what);
	memcpy(buf, start, len);
	buf[len] = '\0';
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A double-quoted string with escapes; the result is NUL-terminated but its
 * length is returned separately because \x00 is allowed. */
static int quoted(struct parser *ps, char **out, size_t *out_len, const char *what)
{
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != '"')
		return fail(ps, "expected a quoted %s", what);
	ps->p++;
	char *buf = malloc((size_t)(ps->end - ps->p) + 1);
	if (!buf)
		return fail(ps, "out of memory");
	size_t n = 0;
	for (;;) {
		if (ps->p == ps->end) {
			free(buf);
			return fail(ps, "unterminated string");
		}
		char c = *ps->p++;
		if (c == '"')
			break;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		if (ps->p == ps->end) {
			free(buf);
			return fail(ps, "unterminated string");
		}
		c = *ps->p++;
		switch (c) {
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case '\\': buf[n++] = '\\'; break;
		case '"': buf[n++] = '"'; break;
		case 'x': {
			int hi = ps->p < ps->end ? hex_digit(ps->p[0]) : -1;
			int lo = ps->p + 1 < ps->end ? hex_digit(ps->p[1]) : -1;
			if (hi < 0 || lo < 0) {
				free(buf);
				return fail(ps, "\\x needs two hex digits");
			}
			buf[n++] = (char)(hi << 4 | lo);
			ps->p += 2;
			break;
		}
		default:
			free(buf);
			return fail(ps, "unknown escape \\%c", c);
		}
	}
	if (n == 0) {
		free(buf);
		return fail(ps, "empty %s", what);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

static int number(struct parser *ps, double *out, const char *what)
{
	char buf[32];
	if (word(ps, buf, sizeof(buf), what) < 0)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || *end != '\0' || end == buf)
		return fail(ps, "%s '%s' is not a number", what, buf);
	*out = v;
	return 0;
}

static int seconds(struct parser *ps, double *out)
{
	if (number(ps, out, "timeout in seconds") < 0)
		return -1;
	if (*out <= 0 || *out > 3600)
		return fail(ps, "timeout %g s is out of range (0 to 3600)", *out);
	return 0;
}

static int optional_label(struct parser *ps, char **label)
{
	*label = NULL;
	if (at_end(ps))
		return 0;
	char buf[SPEC_NAME_MAX];
	if (word(ps, buf, sizeof(buf), "label") < 0)
		return -1;
	*label = strdup(buf);
	return *label ? 0 : fail(ps, "out of memory");
}

static const char *const op_names[] = {
	[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "==",
};

const char *spec_op_name(enum num_op op)
{
	return op_names[op];
}

int spec_op_holds(enum num_op op, double value, double num)
{
	switch (op) {
	case OP_LT: return value < num;
	case OP_LE: return value <= num;
	case OP_GT: return value > num;
	case OP_GE: return value >= num;
	case OP_EQ: return value == num;
	}
	return 0;
}

static int operator(struct parser *ps, enum num_op *op)
{
	char buf[4];
	if (word(ps, buf, sizeof(buf), "comparison operator") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
		if (strcmp(buf, op_names[i]) == 0) {
			*op = (enum num_op)i;
			return 0;
		}
	}
	return fail(ps, "unknown operator '%s' (use < <= > >= ==)", buf);
}

static int valid_name(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

static int parse_step(struct parser *ps, const char *keyword, struct step *st)
{
	*st = (struct step){ .line = ps->line };
	if (strcmp(keyword, "expect") == 0) {
		st->kind = STEP_EXPECT;
		if (seconds(ps, &st->timeout_s) < 0 ||
		    quoted(ps, &st->text, &st->text_len, "text") < 0 ||
		    optional_label(ps, &st->label) < 0)
			return -1;
	} else if (strcmp(keyword, "expectnum") == 0) {
		st->kind = STEP_EXPECTNUM;
		if (seconds(ps, &st->timeout_s) < 0 ||
		    quoted(ps, &st->text, &st->text_len, "prefix") < 0 ||
		    operator(ps, &st->op) < 0 || number(ps, &st->number, "number") < 0 ||
		    optional_label(ps, &st->label) < 0)
			return -1;
	} else if (strcmp(keyword, "send") == 0) {
		st->kind = STEP_SEND;
		if (quoted(ps, &st->text, &st->text_len, "text") < 0)
			return -1;
	} else if (strcmp(keyword, "notexpect") == 0) {
		st->kind = STEP_NOTEXPECT;
		if (quoted(ps, &st->text, &st->text_len, "text") < 0)
			return -1;
	} else if (strcmp(keyword, "hostexpect") == 0) {
		st->kind = STEP_HOSTEXPECT;
		if (quoted(ps, &st->text, &st->text_len, "text") < 0)
			return -1;
	} else if (strcmp(keyword, "require") == 0) {
		st->kind = STEP_REQUIRE;
		if (seconds(ps, &st->timeout_s) < 0 ||
		    quoted(ps, &st->text, &st->text_len, "command") < 0)
			return -1;
	} else if (strcmp(keyword, "spawn") == 0) {
		st->kind = STEP_SPAWN;
		if (quoted(ps, &st->text, &st->text_len, "command") < 0)
			return -1;
	} else if (strcmp(keyword, "exit") == 0 || strcmp(keyword, "host") == 0) {
		bool host = keyword[0] == 'h';
		st->kind = host ? STEP_HOST : STEP_EXIT;
		double status;
		if (number(ps, &status, "exit status") < 0)
			return -1;
		if (status < 0 || status > 255 || status != (int)status)
			return fail(ps, "exit status %g is not 0 to 255", status);
		st->status = (int)status;
		if (seconds(ps, &st->timeout_s) < 0)
			return -1;
		if (host && (quoted(ps, &st->text, &st->text_len, "command") < 0 ||
			     optional_label(ps, &st->label) < 0))
			return -1;
	} else {
		return fail(ps, "unknown keyword '%s'", keyword);
	}
	if (!at_end(ps)) {
		free(st->text);
		free(st->label);
		return fail(ps, "unexpected text after the %s step", keyword);
	}
	return 0;
}

static void free_step(struct step *st)
{
	free(st->text);
	free(st->label);
}

static int add_step(struct parser *ps, struct test *t, const char *keyword)
{
	struct step st;
	if (parse_step(ps, keyword, &st) < 0)
		return -1;
	struct step *grown = realloc(t->steps, (t->nsteps + 1) * sizeof(*grown));
	if (!grown) {
		free_step(&st);
		return fail(ps, "out of memory");
	}
	t->steps = grown;
	t->steps[t->nsteps++] = st;
	return 0;
}

static int finish_test(struct parser *ps, const struct test *t)
{
	if (!t->command) {
		ps->line = t->line;
		return fail(ps, "test '%s' has no run line", t->name);
	}
	return 0;
}

static int parse_line(struct parser *ps, struct spec *out)
{
	char keyword[16];
	if (at_end(ps))
		return 0;
	if (word(ps, keyword, sizeof(keyword), "keyword") < 0)
		return fail(ps, "unknown keyword");
	struct test *cur = out->ntests ? &out->tests[out->ntests - 1] : NULL;

	if (strcmp(keyword, "test") == 0) {
		if (cur && finish_test(ps, cur) < 0)
			return -1;
		struct test t = { .line = ps->line };
		if (word(ps, t.name, sizeof(t.name), "test name") < 0)
			return -1;
		if (!valid_name(t.name))
			return fail(ps, "test name '%s' may only use letters, digits, - _ .",
				    t.name);
		if (!at_end(ps))
			return fail(ps, "unexpected text after the test name");
		for (size_t i = 0; i < out->ntests; i++)
			if (strcmp(out->tests[i].name, t.name) == 0)
				return fail(ps, "test '%s' is defined twice", t.name);
		struct test *grown = realloc(out->tests, (out->ntests + 1) * sizeof(*grown));
		if (!grown)
			return fail(ps, "out of memory");
		out->tests = grown;
		out->tests[out->ntests++] = t;
		return 0;
	}
	if (!cur)
		return fail(ps, "'%s' before the first 'test' line", keyword);
	if (strcmp(keyword, "run") == 0) {
		if (cur->command)
			return fail(ps, "test '%s' has two run lines", cur->name);
		skip_space(ps);
		const char *e = ps->end;
		while (e > ps->p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e == ps->p)
			return fail(ps, "run needs a command");
		cur->command = strndup(ps->p, (size_t)(e - ps->p));
		return cur->command ? 0 : fail(ps, "out of memory");
	}
	/* A requirement is checked before the command starts, so it may
	 * come before the run line. */
	if (!cur->command && strcmp(keyword, "require") != 0)
		return fail(ps, "'%s' before the run line of test '%s'", keyword, cur->name);
	return add_step(ps, cur, keyword);
}

/* Copy one logical line starting at p into buf: physical lines that end in
 * a backslash continue on the next one (the backslash becomes a blank).
 * Returns where the next logical line starts; counts physical lines. */
static const char *logical_line(const char *p, char *buf, size_t *len, int *nlines)
{
	*len = 0;
	for (;;) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *next = nl ? nl + 1 : end;
		(*nlines)++;
		if (end > p && end[-1] == '\r')
			end--;
		bool more = end > p && end[-1] == '\\' && *next;
		if (more)
			end--;
		memcpy(buf + *len, p, (size_t)(end - p));
		*len += (size_t)(end - p);
		p = next;
		if (!more)
			return p;
		buf[(*len)++] = ' ';
	}
}

int spec_parse(const char *text, struct spec *out, char err[SPEC_ERROR_MAX])
{
	struct parser ps = { .err = err };
	*out = (struct spec){ 0 };
	err[0] = '\0';
	/* A logical line is never longer than the whole text. */
	char *buf = malloc(strlen(text) + 1);
	if (!buf) {
		snprintf(err, SPEC_ERROR_MAX, "0: out of memory");
		return -1;
	}
	const char *p = text;
	int nlines = 0;
	while (*p) {
		size_t len;
		ps.line = nlines + 1;
		p = logical_line(p, buf, &len, &nlines);
		ps.p = buf;
		ps.end = buf + len;
		if (parse_line(&ps, out) < 0) {
			free(buf);
			goto fail;
		}
	}
	free(buf);
	ps.line = nlines;
	if (out->ntests == 0) {
		snprintf(err, SPEC_ERROR_MAX, "%d: no tests in the spec", ps.line);
		goto fail;
	}
	if (finish_test(&ps, &out->tests[out->ntests - 1]) < 0)
		goto fail;
	return 0;
fail:
	spec_free(out);
	return -1;
}

void spec_free(struct spec *spec)
{
	for (size_t i = 0; i < spec->ntests; i++) {
		struct test *t = &spec->tests[i];
		for (size_t k = 0; k < t->nsteps; k++)
			free_step(&t->steps[k]);
		free(t->steps);
		free(t->command);
	}
	free(spec->tests);
	*spec = (struct spec){ 0 };
}
