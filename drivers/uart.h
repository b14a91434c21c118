/* 16550 UART on COM1: the serial console. */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "lib/types.h"

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *s, size_t n);
/* next received byte, or -1 when none is waiting */
int uart_getc_nowait(void);
/* turn on the receive interrupt (once an interrupt controller routes it) */
void uart_enable_rx_irq(void);
void uart_disable_rx_irq(void);
#define UART_COM1_IRQ 4

#endif
