/*
 * The PS/2 keyboard behind an i8042-compatible controller: the keyboard half
 * of tty0 (kernel/console/screen.h).
 */
#ifndef DRIVERS_INPUT_I8042_H
#define DRIVERS_INPUT_I8042_H

/*
 * After the I/O APIC is up: find the controller, set it up (translation to
 * set 1 on, the mouse port off) and take IRQ 1 (or poll). 0 or -ENODEV.
 */
int i8042_init(void);

#endif
