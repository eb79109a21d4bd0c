/* dlsym interposer. Asks hami_dlsym_decide(); when it says "forward", jumps to
 * glibc's dlsym with the caller's return address intact, so RTLD_NEXT lookups
 * by anyone else keep their exact meaning. */
#if defined(__x86_64__)
        .text
        .globl  dlsym
        .type   dlsym, @function
dlsym:
        .cfi_startproc
        pushq   %rdi
        .cfi_adjust_cfa_offset 8
        pushq   %rsi
        .cfi_adjust_cfa_offset 8
        subq    $24, %rsp
        .cfi_adjust_cfa_offset 24
        movq    %rsp, %rdx
        call    hami_dlsym_decide
        testl   %eax, %eax
        jnz     1f
        movq    (%rsp), %rax
        addq    $24, %rsp
        .cfi_adjust_cfa_offset -24
        popq    %rsi
        .cfi_adjust_cfa_offset -8
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        ret
1:
        .cfi_adjust_cfa_offset 40
        addq    $24, %rsp
        .cfi_adjust_cfa_offset -24
        popq    %rsi
        .cfi_adjust_cfa_offset -8
        popq    %rdi
        .cfi_adjust_cfa_offset -8
        movq    hami_real_dlsym_ptr(%rip), %rax
        jmp     *%rax
        .cfi_endproc
        .size   dlsym, .-dlsym
#endif
        .section .note.GNU-stack,"",@progbits
