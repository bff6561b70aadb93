/* Xtensa LX106 reset and exception vectors for QEMU's sim machine (hal/xtensa.c has the C side).
 *
 * The core starts at the first byte of ROM, where the linker puts .vectors: a jump to mb_reset, which
 * points VECBASE here, leaves the exception mode of reset (PS.EXCM = 0; interrupts stay masked at
 * level 15), sets the stack pointer (picolibc's crt0 expects a1 set) and enters crt0. Every exception
 * (kernel 0x30, user 0x50, double 0x70) goes to mb_trap with the faulting stack pointer. */
	.section .vectors, "ax"
	.global mb_vectors
	.align 4
mb_vectors:
	j	mb_reset
	.org	0x30
	j	mb_trap_entry
	.org	0x50
	j	mb_trap_entry
	.org	0x70
	j	mb_trap_entry

	.text
	.literal_position
	.align	4
mb_reset:
	movi	a2, mb_vectors
	wsr.vecbase a2
	movi	a2, 0x0f
	wsr.ps	a2
	rsync
	movi	a1, __stack
	movi	a0, 0
	j	_start

	.align	4
mb_trap_entry:
	mov	a2, a1
	movi	a1, __stack
	call0	mb_trap
