/*
 * The stack protector's canary (-fstack-protector-strong with a global
 * guard, -mstack-protector-guard=global): a random value per boot in
 * __stack_chk_guard, checked by every function with an array or an
 * address-taken local before it returns. A mismatch calls
 * __stack_chk_fail(), which panics naming the function whose frame was
 * overwritten.
 */
#ifndef KERNEL_STACK_PROTECTOR_H
#define KERNEL_STACK_PROTECTOR_H

#include "lib/types.h"

/*
 * Pick this boot's canary: RDSEED, else RDRAND, else TSC jitter. Call
 * before anything whose frame could outlive the change returns, i.e. first
 * thing in kmain (which never returns). Returns where the value came from.
 */
const char *stack_protector_init(void);

#endif
