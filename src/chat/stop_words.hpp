#pragma once
// Indonesian and English stop words: the words keyTopics leaves out (API.md, "Consultations").
// The lists are compiled in (stop_words.cpp), lowercase, ASCII.

#include <string_view>

namespace writeen::chat {

/// True when `word` (lowercase) is an Indonesian or English stop word.
bool is_stop_word(std::string_view word);

}  // namespace writeen::chat
