// reserved_words(): the words of grammar::reserved_word, spelled out from its rules' types.
#include "grammar/keywords.hpp"

#include "grammar/grammar.hpp"

namespace sluice {

namespace {

namespace pegtl = tao::pegtl;

// A keyword rule derives from word<istring<C...>>: its characters are its text. The
// pointer conversion deduces the base from each kw_ struct.
template <char... C>
std::string text_of(const grammar::word<pegtl::ascii::istring<C...>>*) {
  return std::string{C...};
}

template <class... Words>
std::vector<std::string> words_of(const pegtl::sor<Words...>*) {
  return {text_of(static_cast<const Words*>(nullptr))...};
}

}  // namespace

const std::vector<std::string>& reserved_words() {
  static const std::vector<std::string> words =
      words_of(static_cast<const grammar::reserved_word*>(nullptr));
  return words;
}

}  // namespace sluice
