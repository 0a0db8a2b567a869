# Warnings for the project's own code, as one INTERFACE target linked privately by every module.
add_library(writeen_warnings INTERFACE)
# -Wno-missing-field-initializers: C++20 designated initializers name only the fields that
# differ from their defaults, which is how the code sets options; GCC 12 warns on every one.
target_compile_options(writeen_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
                       -Wno-missing-field-initializers)
# GCC 12 reports a mismatched new/delete on every Asio coroutine frame (its awaitable frames
# pair a custom operator new with operator delete correctly; a known false positive).
target_compile_options(writeen_warnings INTERFACE -Wno-mismatched-new-delete)
if(WRITEEN_WERROR)
    target_compile_options(writeen_warnings INTERFACE -Werror)
endif()
if(WRITEEN_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
