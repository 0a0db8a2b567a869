# Warnings for the project's own code, as one INTERFACE target linked privately by every module.
add_library(writeen_warnings INTERFACE)
# -Wno-missing-field-initializers: C++20 designated initializers name only the fields that
# differ from their defaults, which is how the code sets options; GCC 12 warns on every one.
target_compile_options(writeen_warnings INTERFACE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                       -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports a mismatched new/delete on every Asio coroutine frame (its awaitable frames
    # pair a custom operator new with operator delete correctly; a known false positive).
    target_compile_options(writeen_warnings INTERFACE -Wshadow=local -Wno-mismatched-new-delete)
endif()
if(WRITEEN_WERROR)
    target_compile_options(writeen_warnings INTERFACE -Werror)
endif()

# Sanitizers apply to every translation unit, the project's and the bundled Asio/Beast alike,
# so a report names the real frame.
if(WRITEEN_SANITIZE)
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
if(WRITEEN_TSAN)
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
endif()
if(WRITEEN_FUZZ)
    # fuzzer-no-link instruments for coverage; only the fuzz targets link libFuzzer's main.
    # -fno-sanitize=function: clang 14 cannot emit that check's prologue data for coroutines
    # ("Cannot represent a difference across sections", LLVM issue 49689, fixed in later clang).
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                        -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()
