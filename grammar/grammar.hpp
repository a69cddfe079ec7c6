// The Sluice grammar as PEGTL rules (one statement at a time; grammar/parser.cpp splits the
// file into statements and attaches the actions that build the AST), and the table of
// error messages raised at each must<> point. Nothing else lives here.
#pragma once
#include <tao/pegtl.hpp>

namespace sluice::grammar {

namespace pegtl = tao::pegtl;
using pegtl::at;
using pegtl::eolf;
using pegtl::not_at;
using pegtl::not_one;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::raise;
using pegtl::ranges;
using pegtl::rep;
using pegtl::seq;
using pegtl::sor;
using pegtl::star;
using pegtl::success;
using pegtl::two;
using pegtl::until;
using pegtl::ascii::digit;
using pegtl::ascii::istring;
using pegtl::ascii::string;

// Error points are must<R>: when R fails, the parser reports error_message<R> at the
// position where R was tried. Rules without an entry never raise.
template <typename Rule>
inline constexpr const char* error_message = nullptr;

// ---- lexical --------------------------------------------------------------------------

struct ident_first : ranges<'a', 'z', 'A', 'Z'> {};                 // a name starts with a letter
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};  // then letters, digits, _
struct identifier : seq<ident_first, star<ident_other>> {};          // any name, keyword or not
struct comment : seq<sor<one<'#'>, two<'/'>>, until<eolf>> {};       // # or // to end of line
struct space_char : one<' ', '\t', '\r', '\n'> {};  // newlines too: the splitter already cut statements
struct sep : star<sor<space_char, comment>> {};     // skipped between tokens
struct blanks : star<one<' ', '\t'>> {};            // inside a spelled duration: `20 days`

// A case-insensitive keyword: the word, not followed by a name character.
template <typename Word>
struct word : seq<Word, not_at<ident_other>> {};

struct kw_and : word<TAO_PEGTL_ISTRING("and")> {};                  // logical and; action separator
struct kw_or : word<TAO_PEGTL_ISTRING("or")> {};                    // logical or
struct kw_not : word<TAO_PEGTL_ISTRING("not")> {};                  // logical not
struct kw_then : word<TAO_PEGTL_ISTRING("then")> {};                // condition -> actions
struct kw_when : word<TAO_PEGTL_ISTRING("when")> {};                // rule "n": when ...
struct kw_if : word<TAO_PEGTL_ISTRING("if")> {};                    // synonym of when
struct kw_rule : word<TAO_PEGTL_ISTRING("rule")> {};                // rule statement
struct kw_let : word<TAO_PEGTL_ISTRING("let")> {};                  // let statement
struct kw_def : word<TAO_PEGTL_ISTRING("def")> {};                  // def statement
struct kw_load : word<TAO_PEGTL_ISTRING("load")> {};                // load statement
struct kw_use : word<TAO_PEGTL_ISTRING("use")> {};                  // use statement
struct kw_set : word<TAO_PEGTL_ISTRING("set")> {};                  // set statement
struct kw_from : word<TAO_PEGTL_ISTRING("from")> {};                // load NAME from
struct kw_column : word<TAO_PEGTL_ISTRING("column")> {};            // load option
struct kw_lag : word<TAO_PEGTL_ISTRING("lag")> {};                  // load option (also the lag() builtin)
struct kw_stale : word<TAO_PEGTL_ISTRING("stale")> {};              // load option
struct kw_for : word<TAO_PEGTL_ISTRING("for")> {};                  // C for D; watch X for D
struct kw_within : word<TAO_PEGTL_ISTRING("within")> {};            // C within D
struct kw_followed : word<TAO_PEGTL_ISTRING("followed")> {};        // A followed by B within D
struct kw_by : word<TAO_PEGTL_ISTRING("by")> {};                    // followed by; rises by
struct kw_over : word<TAO_PEGTL_ISTRING("over")> {};                // predicate window
struct kw_crosses : word<TAO_PEGTL_ISTRING("crosses")> {};          // x crosses above y
struct kw_breaks : word<TAO_PEGTL_ISTRING("breaks")> {};            // x breaks L
struct kw_above : word<TAO_PEGTL_ISTRING("above")> {};              // > ; crosses above
struct kw_below : word<TAO_PEGTL_ISTRING("below")> {};              // < ; crosses below
struct kw_between : word<TAO_PEGTL_ISTRING("between")> {};          // x between a and b
struct kw_rises : word<TAO_PEGTL_ISTRING("rises")> {};              // change up
struct kw_falls : word<TAO_PEGTL_ISTRING("falls")> {};              // change down
struct kw_widens : word<TAO_PEGTL_ISTRING("widens")> {};            // change up (spreads)
struct kw_narrows : word<TAO_PEGTL_ISTRING("narrows")> {};          // change down (spreads)
struct kw_outperforms : word<TAO_PEGTL_ISTRING("outperforms")> {};  // perform up
struct kw_underperforms : word<TAO_PEGTL_ISTRING("underperforms")> {};  // perform down
struct kw_leads : word<TAO_PEGTL_ISTRING("leads")> {};              // synonym of outperforms
struct kw_trails : word<TAO_PEGTL_ISTRING("trails")> {};            // synonym of underperforms
struct kw_hits : word<TAO_PEGTL_ISTRING("hits")> {};                // x hits new high
struct kw_new : word<TAO_PEGTL_ISTRING("new")> {};                  // hits new ...
struct kw_high : word<TAO_PEGTL_ISTRING("high")> {};                // ... high
struct kw_low : word<TAO_PEGTL_ISTRING("low")> {};                  // ... low
struct kw_watch : word<TAO_PEGTL_ISTRING("watch")> {};              // action
struct kw_alert : word<TAO_PEGTL_ISTRING("alert")> {};              // action
struct kw_signal : word<TAO_PEGTL_ISTRING("signal")> {};            // action
struct kw_cooldown : word<TAO_PEGTL_ISTRING("cooldown")> {};        // rule option
struct kw_once : word<TAO_PEGTL_ISTRING("once")> {};                // rule option
struct kw_bars : word<TAO_PEGTL_ISTRING("bars")> {};                // duration unit
struct kw_bar : word<TAO_PEGTL_ISTRING("bar")> {};                  // duration unit
struct kw_days : word<TAO_PEGTL_ISTRING("days")> {};                // duration unit
struct kw_day : word<TAO_PEGTL_ISTRING("day")> {};                  // duration unit
struct kw_weeks : word<TAO_PEGTL_ISTRING("weeks")> {};              // duration unit
struct kw_week : word<TAO_PEGTL_ISTRING("week")> {};                // duration unit
struct kw_months : word<TAO_PEGTL_ISTRING("months")> {};            // duration unit
struct kw_month : word<TAO_PEGTL_ISTRING("month")> {};              // duration unit
struct kw_years : word<TAO_PEGTL_ISTRING("years")> {};              // duration unit
struct kw_year : word<TAO_PEGTL_ISTRING("year")> {};                // duration unit
// Universe words: not reserved, so that series already named `top` or `universe` still work;
// each stands only where its statement or operator is tried first.
struct kw_universe : word<TAO_PEGTL_ISTRING("universe")> {};  // universe statement
struct kw_columns : word<TAO_PEGTL_ISTRING("columns")> {};    // universe U = columns of W
struct kw_of : word<TAO_PEGTL_ISTRING("of")> {};              // columns of; top K of U
struct kw_each : word<TAO_PEGTL_ISTRING("each")> {};          // for each SYM in U
struct kw_in : word<TAO_PEGTL_ISTRING("in")> {};              // for each SYM in U
struct kw_top : word<TAO_PEGTL_ISTRING("top")> {};            // top K of U by X

// Words that can never be a name (a series, let, def, parameter or signal).
struct reserved_word
    : sor<kw_and, kw_or, kw_not, kw_then, kw_when, kw_if, kw_rule, kw_let, kw_def, kw_load, kw_use,
          kw_set, kw_from, kw_column, kw_lag, kw_stale, kw_for, kw_within, kw_followed, kw_by,
          kw_over, kw_crosses, kw_breaks, kw_above, kw_below, kw_between, kw_rises, kw_falls,
          kw_widens, kw_narrows, kw_outperforms, kw_underperforms, kw_leads, kw_trails, kw_hits,
          kw_new, kw_high, kw_low, kw_watch, kw_alert, kw_signal, kw_cooldown, kw_once, kw_bars,
          kw_bar, kw_days, kw_day, kw_weeks, kw_week, kw_months, kw_month, kw_years, kw_year> {};

struct plain_name : seq<not_at<reserved_word>, identifier> {};  // a name that is not reserved
struct reserved_name : success {};  // raised when a reserved word stands where a name must
struct declared_name : sor<seq<at<reserved_word>, raise<reserved_name>>, plain_name> {};  // a name being defined

// -- numbers: 2600, 2_600, 2600.5, 1e3, 2.5E-4, 2.6k, 5% --
struct digits : seq<digit, star<sor<digit, seq<one<'_'>, digit>>>> {};  // _ only between digits
struct fraction : seq<one<'.'>, digits> {};                              // .5 alone is not a number
struct exponent : seq<one<'e', 'E'>, opt<one<'+', '-'>>, plus<digit>> {};  // written exponent
struct magnitude : one<'k', 'K', 'm', 'M', 'b', 'B', 't', 'T'> {};      // x1e3 1e6 1e9 1e12
struct percent : one<'%'> {};                                            // x1e-2
struct number_end : not_at<ident_other> {};                              // `3mon` is not 3m + on
struct number : seq<digits, opt<fraction>, opt<exponent>, opt<sor<magnitude, percent>>,
                    pegtl::must<number_end>> {};                         // a number literal
struct leading_point : seq<one<'.'>, digit> {};                          // .5: an error
struct bad_number : seq<at<leading_point>, raise<leading_point>> {};    // reports it

// -- durations: 20d 4w 3mo 1y, 20 days, 4 weeks, 3 months, 1 year, 20 bars --
struct spelled_unit : sor<kw_days, kw_day, kw_weeks, kw_week, kw_months, kw_month, kw_years,
                          kw_year, kw_bars, kw_bar> {};                  // a unit written out
struct compact_unit : seq<sor<istring<'m', 'o'>, istring<'d'>, istring<'w'>, istring<'y'>>,
                          not_at<ident_other>> {};                       // mo before m: m is million
struct duration_unit : sor<seq<blanks, spelled_unit>, compact_unit> {};  // either form
struct duration_fraction : seq<digits, fraction, at<duration_unit>> {};  // 2.5d: an error
struct bad_duration : seq<at<duration_fraction>, raise<duration_fraction>> {};  // reports it
struct duration : seq<digits, duration_unit> {};                        // a duration literal
struct duration_token : sor<bad_duration, duration> {};                 // where only a duration fits

// -- dates: 2021-01-15 (tried before numbers, so it is not 2021 - 1 - 15) --
struct date : seq<rep<4, digit>, one<'-'>, rep<2, digit>, one<'-'>, rep<2, digit>,
                  not_at<ident_other>> {};                               // a date literal

// -- strings: "..." with \" and \\ ; a string ends on its line --
struct string_open : one<'"'> {};                                      // opening quote
struct escaped_char : one<'"', '\\'> {};                               // the only two escapes
struct escape : seq<one<'\\'>, pegtl::must<escaped_char>> {};           // backslash escape
struct string_char : sor<escape, not_one<'"', '\\', '\r', '\n'>> {};   // one character (byte)
struct string_close : one<'"'> {};                                     // closing quote
struct string_lit : seq<string_open, star<string_char>, pegtl::must<string_close>> {};  // a string literal

// ---- expressions: a ladder from primary (tightest) up to expression (loosest) --------

struct expression;  // the whole ladder (for parentheses and call arguments)

struct open_paren : one<'('> {};                                       // opens a group
struct close_paren : one<')'> {};                                      // closes it
struct paren_inner : seq<expression> {};                               // the group's contents
struct paren_expr : seq<open_paren, sep, pegtl::must<paren_inner>, sep, pegtl::must<close_paren>> {};  // ( expr )

struct call_name : sor<kw_lag, plain_name> {};                         // lag() is a builtin too
struct call_open : one<'('> {};                                        // f( - no space before (
struct call_arg : seq<expression> {};                                  // one argument
struct call_more : seq<sep, one<','>, sep, pegtl::must<call_arg>> {};  // , argument
struct call_args : opt<call_arg, star<call_more>> {};                  // possibly none
struct call_close : one<')'> {};                                       // f(...)
struct call_rest : seq<call_open, sep, call_args, sep, pegtl::must<call_close>> {};  // (args)
struct call : seq<call_name, call_rest> {};                            // f(args)

struct field_name : seq<identifier> {};                                // any word: btc.high is fine
struct field_ref : seq<plain_name, one<'.'>, pegtl::must<field_name>> {};  // btc.volume
struct name_ref : seq<plain_name> {};                                  // a series, let, param, signal
struct string_node : seq<string_lit> {};                               // a string in an expression
struct duration_node : seq<duration_token> {};                         // a duration in an expression

// Windows: a duration literal or a name (a def parameter bound to a duration).
struct window : sor<duration_node, name_ref> {};                       // a window
struct over_window : seq<window> {};                                   // after `over`
struct for_window : seq<window> {};                                    // after `for`
struct within_window : seq<window> {};                                 // after `within`

// `top K of U by X`: true for the loop symbol when it is among the K highest X of U.
struct sum_expr;
struct top_count : seq<digits> {};         // K
struct top_universe : seq<plain_name> {};  // U
struct top_by : seq<kw_by> {};             // by
struct top_operand : seq<sum_expr> {};     // X
struct top_expr : seq<kw_top, sep, top_count, sep, kw_of, sep, pegtl::must<top_universe>, sep,
                      pegtl::must<top_by>, sep, pegtl::must<top_operand>> {};  // top K of U by X

// Dates before durations before numbers: 2021-01-15 is a date, 20d a duration.
struct primary : sor<date, duration_node, number, string_node, paren_expr, top_expr, call,
                     field_ref, name_ref, bad_number> {};  // an operand

struct index_open : one<'['> {};                                       // x[
struct index_count : seq<digits> {};                                   // N bars ago
struct index_close : one<']'> {};                                      // ]
struct index_suffix : seq<index_open, sep, pegtl::must<index_count>, sep,
                          pegtl::must<index_close>> {};                // x[N]
struct postfix_expr : seq<primary, star<index_suffix>> {};             // x[1][2]

struct unary_expr;                                                     // recursive for - - x
struct minus_operand : seq<unary_expr> {};                             // after unary -
struct minus_sign : one<'-'> {};                                       // unary -
struct negation : seq<minus_sign, sep, pegtl::must<minus_operand>> {};  // -x
struct unary_expr : sor<negation, postfix_expr> {};                    // -x or x

struct times_operand : seq<unary_expr> {};                             // after *
struct divide_operand : seq<unary_expr> {};                            // after /
struct times_tail : seq<sep, one<'*'>, sep, pegtl::must<times_operand>> {};    // * y
struct divide_tail : seq<sep, one<'/'>, sep, pegtl::must<divide_operand>> {};  // / y
struct product_expr : seq<unary_expr, star<sor<times_tail, divide_tail>>> {};  // x * y / z

struct plus_operand : seq<product_expr> {};                            // after +
struct minus_rhs : seq<product_expr> {};                               // after binary -
struct plus_tail : seq<sep, one<'+'>, sep, pegtl::must<plus_operand>> {};      // + y
struct minus_tail : seq<sep, one<'-'>, sep, pegtl::must<minus_rhs>> {};        // - y
struct sum_expr : seq<product_expr, star<sor<plus_tail, minus_tail>>> {};      // arithmetic

// -- predicates: at most one tail after an arithmetic operand --
struct compare_rhs : seq<sum_expr> {};                                 // right of a comparison
struct ge_tail : seq<string<'>', '='>, sep, pegtl::must<compare_rhs>> {};  // x >= y
struct gt_tail : seq<one<'>'>, sep, pegtl::must<compare_rhs>> {};          // x > y
struct le_tail : seq<string<'<', '='>, sep, pegtl::must<compare_rhs>> {};  // x <= y
struct lt_tail : seq<one<'<'>, sep, pegtl::must<compare_rhs>> {};          // x < y
struct eq_tail : seq<string<'=', '='>, sep, pegtl::must<compare_rhs>> {};  // x == y
struct ne_tail : seq<string<'!', '='>, sep, pegtl::must<compare_rhs>> {};  // x != y
struct above_tail : seq<kw_above, sep, pegtl::must<compare_rhs>> {};       // x above y (>)
struct below_tail : seq<kw_below, sep, pegtl::must<compare_rhs>> {};       // x below y (<)

struct between_low : seq<sum_expr> {};                                 // lower bound
struct between_and : seq<kw_and> {};                                   // the `and` of between
struct between_high : seq<sum_expr> {};                                // upper bound
struct between_tail : seq<kw_between, sep, pegtl::must<between_low>, sep, pegtl::must<between_and>,
                          sep, pegtl::must<between_high>> {};          // x between a and b

struct cross_level : seq<sum_expr> {};                                 // what is crossed
struct cross_above : seq<kw_above, sep, pegtl::must<cross_level>> {};  // crosses above y
struct cross_below : seq<kw_below, sep, pegtl::must<cross_level>> {};  // crosses below y
struct cross_direction : sor<cross_above, cross_below> {};             // above or below
struct crosses_tail : seq<kw_crosses, sep, pegtl::must<cross_direction>> {};  // x crosses ...

struct break_level : seq<sum_expr> {};                                 // what is broken
struct break_above : seq<kw_above, sep, pegtl::must<break_level>> {};  // breaks above L
struct break_below : seq<kw_below, sep, pegtl::must<break_level>> {};  // breaks below L
struct break_plain : seq<break_level> {};                              // breaks L (= above)
struct break_direction : sor<break_above, break_below, break_plain> {};  // what follows breaks
struct breaks_tail : seq<kw_breaks, sep, pegtl::must<break_direction>> {};  // x breaks ...

struct no_operand : success {};                                        // an absent [by A] / [over W]
struct over_clause : seq<sep, kw_over, sep, pegtl::must<over_window>> {};  // over W
struct opt_over : sor<over_clause, no_operand> {};                     // [over W]
struct by_amount : seq<sum_expr> {};                                   // by A
struct by_clause : seq<sep, kw_by, sep, pegtl::must<by_amount>> {};    // by A
struct opt_by : sor<by_clause, no_operand> {};                         // [by A]
struct change_word : sor<kw_rises, kw_falls, kw_widens, kw_narrows> {};  // direction words
struct change_tail : seq<change_word, opt_by, opt_over> {};            // x rises [by A] [over W]

struct perform_word : sor<kw_outperforms, kw_leads, kw_underperforms, kw_trails> {};  // relative
struct perform_rhs : seq<sum_expr> {};                                 // the benchmark
struct perform_tail : seq<perform_word, sep, pegtl::must<perform_rhs>, opt_over> {};  // x leads y

struct extreme_high : seq<kw_high, opt_over> {};                       // new high [over W]
struct extreme_low : seq<kw_low, opt_over> {};                         // new low [over W]
struct extreme_word : sor<extreme_high, extreme_low> {};               // high or low
struct hits_new : seq<kw_new> {};                                      // the `new` of hits new
struct hits_tail : seq<kw_hits, sep, pegtl::must<hits_new>, sep, pegtl::must<extreme_word>> {};  // x hits new high

struct predicate_tail : sor<ge_tail, gt_tail, le_tail, lt_tail, eq_tail, ne_tail, above_tail,
                            below_tail, between_tail, crosses_tail, breaks_tail, change_tail,
                            perform_tail, hits_tail> {};              // any predicate
struct predicate_expr : seq<sum_expr, opt<sep, predicate_tail>> {};   // x [predicate]

// -- temporal postfix, then logic --
struct for_tail : seq<sep, kw_for, sep, pegtl::must<for_window>> {};           // C for W
struct within_tail : seq<sep, kw_within, sep, pegtl::must<within_window>> {};  // C within W
struct temporal_expr : seq<predicate_expr, star<sor<for_tail, within_tail>>> {};  // repeatable

struct not_expr;                                                       // recursive for not not x
struct not_operand : seq<not_expr> {};                                 // after not
struct not_word : seq<kw_not> {};                                      // prefix not
struct not_op : seq<not_word, sep, pegtl::must<not_operand>> {};       // not C
struct not_expr : sor<not_op, temporal_expr> {};                       // [not] C

struct and_operand : seq<not_expr> {};                                 // after and
struct and_tail : seq<sep, kw_and, sep, pegtl::must<and_operand>> {};  // and C
struct and_expr : seq<not_expr, star<and_tail>> {};                    // A and B

struct or_operand : seq<and_expr> {};                                  // after or
struct or_tail : seq<sep, kw_or, sep, pegtl::must<or_operand>> {};     // or C
struct or_expr : seq<and_expr, star<or_tail>> {};                      // A or B

// `A followed by B within W`: the right operand is parsed as a whole or_expr, whose own
// postfix `within` takes the window; the action then requires B's top node to be that
// `within` and unwraps it into followed_by(A, B, W).
struct followed_by_word : seq<kw_by> {};                               // the `by` of followed by
struct followed_operand : seq<or_expr> {};                             // B within W
struct followed_tail : seq<sep, kw_followed, sep, pegtl::must<followed_by_word>, sep,
                           pegtl::must<followed_operand>> {};          // followed by B within W
struct expression : seq<or_expr, star<followed_tail>> {};              // the loosest level

// ---- statements ------------------------------------------------------------------------

struct load_name : seq<declared_name> {};                              // load NAME
struct load_from : seq<kw_from> {};                                    // from
struct load_path : seq<string_lit> {};                                 // "file.csv"
struct column_name : seq<string_lit> {};                               // column "Close"
struct lag_duration : seq<duration_token> {};                          // lag 1d
struct stale_duration : seq<duration_token> {};                        // stale 10d
struct column_option : seq<kw_column, sep, pegtl::must<column_name>> {};   // column "Close"
struct lag_option : seq<kw_lag, sep, pegtl::must<lag_duration>> {};        // lag D
struct stale_option : seq<kw_stale, sep, pegtl::must<stale_duration>> {};  // stale D
struct load_option : sor<column_option, lag_option, stale_option> {};      // any order
struct load_stmt : seq<kw_load, sep, pegtl::must<load_name>, sep, pegtl::must<load_from>, sep,
                       pegtl::must<load_path>, star<sep, load_option>> {};  // load statement

struct use_path : seq<string_lit> {};                                  // use "file.sluice"
struct use_module : seq<declared_name> {};                             // use liquidity
struct use_target : sor<use_path, use_module> {};                      // either
struct use_stmt : seq<kw_use, sep, pegtl::must<use_target>> {};        // use statement

struct let_name : seq<declared_name> {};                               // let NAME
struct let_equals : one<'='> {};                                       // =
struct let_value : seq<expression> {};                                 // EXPR
struct let_stmt : seq<kw_let, sep, pegtl::must<let_name>, sep, pegtl::must<let_equals>, sep,
                      pegtl::must<let_value>> {};                      // let statement

struct def_name : seq<declared_name> {};                               // def NAME
struct def_open : one<'('> {};                                         // (
struct def_param : seq<declared_name> {};                              // a parameter
struct def_more : seq<sep, one<','>, sep, pegtl::must<def_param>> {};  // , parameter
struct def_params : opt<def_param, star<def_more>> {};                 // possibly none
struct def_close : one<')'> {};                                        // )
struct def_equals : one<'='> {};                                       // =
struct def_body : seq<expression> {};                                  // EXPR
struct def_stmt : seq<kw_def, sep, pegtl::must<def_name>, sep, pegtl::must<def_open>, sep,
                      def_params, sep, pegtl::must<def_close>, sep, pegtl::must<def_equals>, sep,
                      pegtl::must<def_body>> {};                       // def statement

struct set_key : seq<identifier> {};                                   // any word (set from ...)
struct set_value : sor<date, duration_node, number, string_node, name_ref> {};  // a literal
struct set_stmt : seq<kw_set, sep, pegtl::must<set_key>, sep, pegtl::must<set_value>,
                      star<sep, set_value>> {};                        // set statement

struct watch_name : seq<sum_expr> {};                                  // watch X: a name, field or call
struct watch_for : seq<duration_token> {};                             // for D
struct watch_action : seq<kw_watch, sep, pegtl::must<watch_name>,
                          opt<sep, kw_for, sep, pegtl::must<watch_for>>> {};  // watch X [for D]
struct alert_text : seq<string_lit> {};                                // "text {expr}"
struct alert_action : seq<kw_alert, sep, pegtl::must<alert_text>> {};  // alert "..."
struct signal_name : seq<declared_name> {};                            // signal NAME
struct signal_action : seq<kw_signal, sep, pegtl::must<signal_name>> {};  // signal NAME
struct first_action : sor<watch_action, alert_action, signal_action> {};  // after then
struct next_action : sor<watch_action, alert_action, signal_action> {};   // after and / ,
struct more_actions : seq<sep, sor<one<','>, kw_and>, sep, pegtl::must<next_action>> {};  // , action
struct then_clause : seq<kw_then, sep, pegtl::must<first_action>, star<more_actions>> {};  // then A, B
struct cooldown_duration : seq<duration_token> {};                     // cooldown D
struct cooldown_option : seq<kw_cooldown, sep, pegtl::must<cooldown_duration>> {};  // cooldown D
struct once_option : seq<kw_once> {};                                  // once
struct rule_option : sor<cooldown_option, once_option> {};             // either order
struct rule_options : star<sep, rule_option> {};                       // after the actions

// for each SYM in UNIVERSE when COND then ...: one rule per member of the universe.
struct each_symbol : seq<declared_name> {};  // SYM
struct each_in : seq<kw_in> {};              // in
struct each_universe : seq<plain_name> {};   // UNIVERSE
struct each_clause : seq<kw_for, sep, kw_each, sep, pegtl::must<each_symbol>, sep,
                         pegtl::must<each_in>, sep, pegtl::must<each_universe>> {
};                                                                     // for each x in U
struct rule_name : seq<string_lit> {};                                 // rule "name"
struct rule_when : sor<kw_when, kw_if> {};                             // when / if
struct rule_condition : seq<expression> {};                            // COND
struct rule_stmt : seq<kw_rule, sep, pegtl::must<rule_name>, opt<sep, one<':'>>, sep,
                       opt<each_clause, sep>, pegtl::must<rule_when>, sep,
                       pegtl::must<rule_condition>, sep, pegtl::must<then_clause>, rule_options> {
};                                                                     // named rule
struct short_condition : seq<expression> {};                           // COND (short form)

struct each_rule : seq<each_clause, sep, pegtl::must<rule_when>, sep, pegtl::must<rule_condition>,
                       sep, pegtl::must<then_clause>, rule_options> {};  // unnamed for-each rule

// universe NAME = a, b, c   |   universe NAME = columns of WIDE
struct universe_name : seq<plain_name> {};                                        // NAME
struct universe_member : seq<plain_name> {};                                      // a series
struct universe_more : seq<sep, one<','>, sep, pegtl::must<universe_member>> {};  // , series
struct universe_wide : seq<plain_name> {};                                        // WIDE
struct universe_columns : seq<kw_columns, sep, kw_of, sep, pegtl::must<universe_wide>> {
};  // columns of W
struct universe_members : sor<universe_columns, seq<universe_member, star<universe_more>>> {};
struct universe_stmt
    : seq<kw_universe, sep, universe_name, sep, one<'='>, sep, pegtl::must<universe_members>> {
};  // universe statement
struct short_rule : seq<short_condition, sep, pegtl::must<then_clause>, rule_options> {};  // COND then ...

struct rule_without_name : success {};                                 // raised for `when ...`
struct unnamed_rule : seq<at<rule_when>, raise<rule_without_name>> {};  // when/if at the start
struct statement : sor<load_stmt, use_stmt, let_stmt, def_stmt, set_stmt, rule_stmt, universe_stmt,
                       each_rule, unnamed_rule, short_rule> {};       // one statement
struct statement_unit : seq<sep, pegtl::must<statement>, sep> {};     // a statement's text
struct fragment_expression : seq<expression> {};                       // REPL / alert hole
struct fragment_unit : seq<sep, pegtl::must<fragment_expression>, sep> {};  // a fragment's text

// ---- error messages -------------------------------------------------------------------

#define SLUICE_ERROR(rule, text) \
  template <>                    \
  inline constexpr const char* error_message<rule> = text

SLUICE_ERROR(reserved_name, "a reserved word cannot be used as a name");
SLUICE_ERROR(number_end, "unexpected letters after a number (durations are written like 20d, 4w, 3mo or 1y)");
SLUICE_ERROR(leading_point, "a number needs a digit before its point: write 0.5, not .5");
SLUICE_ERROR(duration_fraction, "a duration needs a whole number count, like 20d or 3mo");
SLUICE_ERROR(escaped_char, "unknown escape in a string (only \\\" and \\\\ are allowed)");
SLUICE_ERROR(string_close, "unterminated string");
SLUICE_ERROR(over_window, "expected a duration like 20d, 4w or 3mo after 'over'");
SLUICE_ERROR(for_window, "expected a duration like 20d, 4w or 3mo after 'for'");
SLUICE_ERROR(within_window, "expected a duration like 20d, 4w or 3mo after 'within'");
SLUICE_ERROR(paren_inner, "expected an expression after '('");
SLUICE_ERROR(close_paren, "expected ')' to close '('");
SLUICE_ERROR(call_arg, "expected an argument after ','");
SLUICE_ERROR(call_close, "expected ')' to close '('");
SLUICE_ERROR(field_name, "expected a field name after '.'");
SLUICE_ERROR(index_count, "expected a whole number of bars inside '[ ]', like x[1]");
SLUICE_ERROR(index_close, "expected ']' after the number of bars");
SLUICE_ERROR(minus_operand, "expected a value after '-'");
SLUICE_ERROR(times_operand, "expected a value after '*'");
SLUICE_ERROR(divide_operand, "expected a value after '/'");
SLUICE_ERROR(plus_operand, "expected a value after '+'");
SLUICE_ERROR(minus_rhs, "expected a value after '-'");
SLUICE_ERROR(compare_rhs, "expected a value to compare with");
SLUICE_ERROR(between_low, "expected the lower bound after 'between'");
SLUICE_ERROR(between_and, "expected 'and' and the upper bound after 'between ...'");
SLUICE_ERROR(between_high, "expected the upper bound after 'and'");
SLUICE_ERROR(cross_direction, "expected 'above' or 'below' after 'crosses'");
SLUICE_ERROR(cross_level, "expected the level or series to cross");
SLUICE_ERROR(break_direction, "expected a level or series after 'breaks'");
SLUICE_ERROR(break_level, "expected a level or series after 'breaks above' / 'breaks below'");
SLUICE_ERROR(by_amount, "expected an amount like 5% or 100 after 'by'");
SLUICE_ERROR(perform_rhs, "expected the series to compare with");
SLUICE_ERROR(hits_new, "expected 'new high' or 'new low' after 'hits'");
SLUICE_ERROR(extreme_word, "expected 'high' or 'low' after 'hits new'");
SLUICE_ERROR(not_operand, "expected a condition after 'not'");
SLUICE_ERROR(and_operand, "expected a condition after 'and'");
SLUICE_ERROR(or_operand, "expected a condition after 'or'");
SLUICE_ERROR(followed_by_word, "expected 'by' after 'followed'");
SLUICE_ERROR(followed_operand, "expected a condition after 'followed by'");
SLUICE_ERROR(load_name, "expected a name for the series after 'load'");
SLUICE_ERROR(load_from, "expected 'from' and a file path after the series name");
SLUICE_ERROR(load_path, "expected the file path in quotes after 'from'");
SLUICE_ERROR(column_name, "expected the column name in quotes after 'column'");
SLUICE_ERROR(lag_duration, "expected a duration like 20d, 4w or 3mo after 'lag'");
SLUICE_ERROR(stale_duration, "expected a duration like 20d, 4w or 3mo after 'stale'");
SLUICE_ERROR(use_target, "expected a file path in quotes or a module name after 'use'");
SLUICE_ERROR(let_name, "expected a name after 'let'");
SLUICE_ERROR(let_equals, "expected '=' after the name");
SLUICE_ERROR(let_value, "expected an expression after '='");
SLUICE_ERROR(def_name, "expected a name after 'def'");
SLUICE_ERROR(def_open, "expected '(' and the parameter names after the name");
SLUICE_ERROR(def_param, "expected a parameter name after ','");
SLUICE_ERROR(def_close, "expected ',' or ')' in the parameter list");
SLUICE_ERROR(def_equals, "expected '=' after the parameter list");
SLUICE_ERROR(def_body, "expected an expression after '='");
SLUICE_ERROR(set_key, "expected a setting name after 'set'");
SLUICE_ERROR(set_value, "expected a value (a duration, number, date, string or name) after the setting name");
SLUICE_ERROR(watch_name, "expected the name of a series after 'watch'");
SLUICE_ERROR(watch_for, "expected a duration like 20d, 4w or 3mo after 'for'");
SLUICE_ERROR(alert_text, "expected the alert's text in quotes after 'alert'");
SLUICE_ERROR(signal_name, "expected a name for the signal after 'signal'");
SLUICE_ERROR(first_action, "expected an action (watch, alert or signal) after 'then'");
SLUICE_ERROR(next_action, "expected an action (watch, alert or signal) after 'and' or ','");
SLUICE_ERROR(then_clause, "expected 'then' and actions after the condition");
SLUICE_ERROR(cooldown_duration, "expected a duration like 20d, 4w or 3mo after 'cooldown'");
SLUICE_ERROR(rule_name, "expected the rule's name in quotes after 'rule'");
SLUICE_ERROR(rule_when, "expected 'when' and a condition after the rule's name");
SLUICE_ERROR(rule_condition, "expected a condition after 'when'");
SLUICE_ERROR(rule_without_name, "a rule with 'when' needs a name first: rule \"name\": when ... then ...");
SLUICE_ERROR(top_universe, "expected the universe's name after 'top K of'");
SLUICE_ERROR(top_by, "expected 'by' and a value after 'top K of UNIVERSE'");
SLUICE_ERROR(top_operand, "expected the value to rank by after 'by'");
SLUICE_ERROR(each_symbol, "expected a name for the symbol after 'for each'");
SLUICE_ERROR(each_in, "expected 'in' and a universe after 'for each NAME'");
SLUICE_ERROR(each_universe, "expected the universe's name after 'in'");
SLUICE_ERROR(universe_member, "expected a series name after ','");
SLUICE_ERROR(universe_wide, "expected the name of a loaded wide series after 'columns of'");
SLUICE_ERROR(universe_members,
             "expected series names (universe u = a, b, c) or 'columns of' a wide series");
SLUICE_ERROR(statement, "expected a statement: load, use, let, def, set, rule, or a condition followed by 'then'");
SLUICE_ERROR(fragment_expression, "expected an expression");

#undef SLUICE_ERROR

}  // namespace sluice::grammar
