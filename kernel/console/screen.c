/*
 * tty0 (kernel/console/screen.h): a struct console whose output goes through
 * the text grid to the display backend and whose input is the keyboard.
 * Either half may be missing: a screen with no keyboard still shows the log,
 * a keyboard with no screen still types into the shell.
 */
#include "kernel/console/screen.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct console screen_con;
static struct vt screen_vt;
static const struct screen_backend *screen_backend;
static char display_desc[CONSOLE_DESC_MAX], keyboard_desc[CONSOLE_DESC_MAX];
#define SCREEN_POLLS_MAX 4
static void (*keyboard_polls[SCREEN_POLLS_MAX])(void);
static unsigned int nkeyboard_polls;
static struct screen_stats stats;	/* under the console output lock */

static void screen_con_write(struct console *con, const char *s, size_t n)
{
	u64 start, cycles;

	if (!screen_backend)
		return;
	/* the output lock is held with interrupts off: how long is worth knowing */
	start = rdtsc();
	vt_write(&screen_vt, s, n);
	screen_backend->draw(&screen_vt, screen_backend->priv);
	cycles = rdtsc() - start;
	stats.draws++;
	stats.cycles += cycles;
	if (cycles > stats.max_cycles)
		stats.max_cycles = cycles;
}

bool screen_get_stats(struct screen_stats *st)
{
	*st = stats;
	return screen_backend != NULL;
}

static void screen_con_poll(struct console *con)
{
	for (unsigned int i = 0; i < READ_ONCE(nkeyboard_polls); i++)
		keyboard_polls[i]();
}

static void screen_describe(void)
{
	snprintf(screen_con.desc, sizeof(screen_con.desc), "%s%s%s",
		 display_desc[0] ? display_desc : "no display",
		 keyboard_desc[0] ? ", " : "", keyboard_desc);
}

static void screen_register(void)
{
	if (screen_con.name[0])
		return;
	strlcpy(screen_con.name, "tty0", sizeof(screen_con.name));
	screen_con.kind = CONSOLE_SCREEN;
	screen_con.write = screen_con_write;
	screen_con.poll = screen_con_poll;
	/* nothing to poll until a keyboard says it must be */
	screen_con.has_irq = !nkeyboard_polls;
	console_register(&screen_con);
}

int screen_attach_display(const struct screen_backend *backend, unsigned int rows,
			  unsigned int cols, const char *desc)
{
	struct vt_cell *cells;

	if (screen_backend)
		return -EBUSY;
	cells = kmalloc((size_t)rows * cols * sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	vt_init(&screen_vt, cells, rows, cols);
	strlcpy(display_desc, desc, sizeof(display_desc));
	screen_describe();
	/* before registering: the replay of the log draws through it */
	screen_backend = backend;
	if (screen_con.name[0]) {
		/* the keyboard came first: the screen shows what is new only */
		backend->draw(&screen_vt, backend->priv);
		return 0;
	}
	screen_register();
	return 0;
}

void screen_attach_keyboard(const char *desc)
{
	size_t len = strlen(keyboard_desc);

	if (len)
		snprintf(keyboard_desc + len, sizeof(keyboard_desc) - len, ", %s", desc);
	else
		strlcpy(keyboard_desc, desc, sizeof(keyboard_desc));
	screen_describe();
	screen_register();
}

void screen_keyboard_add_poll(void (*poll)(void))
{
	if (nkeyboard_polls == SCREEN_POLLS_MAX)
		return;
	keyboard_polls[nkeyboard_polls] = poll;
	WRITE_ONCE(nkeyboard_polls, nkeyboard_polls + 1);
	screen_con.has_irq = false;
}

void screen_input(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_input_from(&screen_con, (u8)s[i]);
	if (n)
		console_input_wake();
}
