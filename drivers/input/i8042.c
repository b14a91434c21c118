/*
 * i8042 keyboard controller. Its presence is not assumed: many newer PCs have
 * none (the ports then read 0xff), and a controller must pass its self test
 * (command 0xaa answers 0x55) before its data is trusted. The keyboard's set 2
 * codes are translated to set 1 by the controller (configuration bit 6), which
 * drivers/input/keymap.c turns into terminal bytes for tty0. Bytes from the
 * mouse port are read and dropped. Register and command numbers: the IBM PC
 * AT Technical Reference's keyboard controller description.
 */
#include "drivers/input/i8042.h"
#include "drivers/input/keymap.h"
#include "kernel/arch/ioapic.h"
#include "kernel/arch/irq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/vectors.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "kernel/console/screen.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/time.h"
#include "lib/errno.h"

#define I8042_DATA	0x60
#define I8042_STATUS	0x64	/* read */
#define I8042_CMD	0x64	/* write */

#define STATUS_OBF	0x01	/* a byte waits in the output buffer */
#define STATUS_IBF	0x02	/* the controller has not taken our last byte */
#define STATUS_AUX	0x20	/* the waiting byte is from the mouse port */

#define CMD_READ_CONFIG	0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define SELF_TEST_OK	0x55

#define CONFIG_KBD_IRQ	0x01
#define CONFIG_AUX_IRQ	0x02
#define CONFIG_KBD_OFF	0x10
#define CONFIG_AUX_OFF	0x20
#define CONFIG_XLATE	0x40

#define KBD_ENABLE_SCAN	0xf4
#define KBD_ACK		0xfa

#define I8042_IRQ	1
#define I8042_TIMEOUT_US 50000
#define I8042_FLUSH_MAX	64

static struct keymap_state keys;
static spinlock_t kbd_lock = SPINLOCK_INIT;	/* one reader of the data port at a time */

static int i8042_wait_write(void)
{
	for (int i = 0; i < I8042_TIMEOUT_US / 10; i++) {
		if (!(inb(I8042_STATUS) & STATUS_IBF))
			return 0;
		udelay(10);
	}
	return -ETIMEDOUT;
}

static int i8042_read(u8 *v)
{
	for (int i = 0; i < I8042_TIMEOUT_US / 10; i++) {
		if (inb(I8042_STATUS) & STATUS_OBF) {
			*v = inb(I8042_DATA);
			return 0;
		}
		udelay(10);
	}
	return -ETIMEDOUT;
}

static int i8042_command(u8 cmd)
{
	int err = i8042_wait_write();

	if (!err)
		outb(I8042_CMD, cmd);
	return err;
}

static int i8042_write_data(u8 v)
{
	int err = i8042_wait_write();

	if (!err)
		outb(I8042_DATA, v);
	return err;
}

static void i8042_flush(void)
{
	for (int i = 0; i < I8042_FLUSH_MAX && (inb(I8042_STATUS) & STATUS_OBF); i++)
		inb(I8042_DATA);
}

/* Read every waiting byte; keyboard bytes become input for tty0. */
static void i8042_drain(void)
{
	unsigned long flags = spin_lock_irqsave(&kbd_lock);
	u8 status;

	for (int i = 0; i < I8042_FLUSH_MAX; i++) {
		char out[KEYMAP_OUT_MAX];
		unsigned int n;
		u8 code;

		status = inb(I8042_STATUS);
		if (!(status & STATUS_OBF) || status == 0xff)
			break;
		code = inb(I8042_DATA);
		if (status & STATUS_AUX)
			continue;
		n = keymap_feed(&keys, code, out);
		screen_input(out, n);
	}
	spin_unlock_irqrestore(&kbd_lock, flags);
}

static void i8042_irq_handler(void *unused)
{
	i8042_drain();
}

static bool i8042_route_irq(void)
{
	u8 vector = VECTOR_LEGACY_BASE + I8042_IRQ;

	if (irq_request(vector, i8042_irq_handler, NULL, "i8042"))
		return false;
	if (ioapic_route_isa_irq(I8042_IRQ, this_cpu_id(), vector)) {
		irq_release(vector);
		return false;
	}
	return true;
}

int i8042_init(void)
{
	bool irq;
	u8 config, v;
	int err;

	if (inb(I8042_STATUS) == 0xff)
		return -ENODEV;	/* nothing decodes the port */
	if (i8042_command(CMD_KBD_DISABLE) || i8042_command(CMD_AUX_DISABLE))
		return -ENODEV;
	i8042_flush();
	err = i8042_command(CMD_SELF_TEST);
	if (!err)
		err = i8042_read(&v);
	if (err || v != SELF_TEST_OK) {
		pr_info("i8042: no controller (self test %s)\n", err ? "timed out" : "failed");
		return -ENODEV;
	}
	/* the self test may reset the configuration: read it after */
	if (i8042_command(CMD_READ_CONFIG) || i8042_read(&config))
		return -ENODEV;
	config &= (u8)~(CONFIG_KBD_IRQ | CONFIG_AUX_IRQ | CONFIG_KBD_OFF);
	config |= CONFIG_XLATE | CONFIG_AUX_OFF;
	if (i8042_command(CMD_WRITE_CONFIG) || i8042_write_data(config))
		return -ENODEV;
	if (i8042_command(CMD_KBD_ENABLE))
		return -ENODEV;
	/* a keyboard acknowledges; none plugged in is not an error (it may come) */
	if (i8042_write_data(KBD_ENABLE_SCAN) || i8042_read(&v) || v != KBD_ACK)
		pr_info("i8042: no keyboard answered (yet)\n");
	i8042_flush();

	screen_attach_keyboard("PS/2 keyboard (i8042)");
	irq = i8042_route_irq();
	if (irq) {
		config |= CONFIG_KBD_IRQ;
		irq = !i8042_command(CMD_WRITE_CONFIG) && !i8042_write_data(config);
	}
	if (!irq)
		screen_keyboard_add_poll(i8042_drain);
	pr_info("i8042: keyboard on %s\n", irq ? "IRQ 1" : "polling");
	return 0;
}
