// The series catalogue's table. Publication lags follow the publishers' release schedules
// (docs/data.md): the Fed's H.4.1 release (WALCL, WTREGEN) comes out on Thursday for
// levels dated Wednesday; FRED posts the H.15 yields, ICE's spreads and VIXCLS on the
// next business day; RRPONTSYD is posted the afternoon of its own date; index and crypto
// closes are known at their own date's close.
#include "interpreter/data/catalog.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "interpreter/ascii.hpp"

namespace sluice {
namespace {

constexpr duration days(std::int64_t n) { return {duration::unit::days, n}; }
constexpr duration months(std::int64_t n) { return {duration::unit::months, n}; }

constexpr std::array entries{
    catalog_entry{"russell", "rut", "yahoo:^RUT", "Russell 2000 index", "index points", "daily",
                  days(1), days(0)},
    catalog_entry{"spx", "gspc", "yahoo:^GSPC", "S&P 500 index", "index points", "daily", days(1),
                  days(0)},
    catalog_entry{"tga", "wtregen", "fred:WTREGEN", "Treasury General Account, Wednesday level",
                  "millions of USD", "weekly", days(7), days(1)},
    catalog_entry{"fed_assets", "walcl", "fred:WALCL", "Fed total assets, Wednesday level",
                  "millions of USD", "weekly", days(7), days(1)},
    catalog_entry{"reverse_repo", "rrp", "fred:RRPONTSYD", "overnight reverse repurchase agreements",
                  "billions of USD", "daily", days(1), days(0)},
    catalog_entry{"hy_spread", "hy_oas", "fred:BAMLH0A0HYM2", "ICE BofA US High Yield OAS",
                  "percent", "daily", days(1), days(1)},
    catalog_entry{"ig_spread", "ig_oas", "fred:BAMLC0A0CM", "ICE BofA US Corporate OAS", "percent",
                  "daily", days(1), days(1)},
    catalog_entry{"vix", "vixcls", "fred:VIXCLS", "CBOE volatility index", "index points", "daily",
                  days(1), days(1)},
    catalog_entry{"ten_year", "dgs10", "fred:DGS10", "10-year Treasury yield", "percent", "daily",
                  days(1), days(1)},
    catalog_entry{"two_year", "dgs2", "fred:DGS2", "2-year Treasury yield", "percent", "daily",
                  days(1), days(1)},
    catalog_entry{"fed_funds", "dff", "fred:DFF", "effective federal funds rate", "percent",
                  "daily", days(1), days(1)},
    catalog_entry{"m2", "m2sl", "fred:M2SL", "M2 money stock", "billions of USD", "monthly",
                  months(1), days(28)},
    catalog_entry{"btc", "btc", "yahoo:BTC-USD", "Bitcoin", "USD", "daily", days(1), days(0)},
    catalog_entry{"eth", "eth", "yahoo:ETH-USD", "Ether", "USD", "daily", days(1), days(0)},
};

bool same_ascii(std::string_view a, std::string_view b) { return equals_ignoring_case(a, b); }

std::string_view without_provider(std::string_view source) {
  auto colon = source.find(':');
  return colon == std::string_view::npos ? source : source.substr(colon + 1);
}

}  // namespace

std::span<const catalog_entry> series_catalog() { return entries; }

const catalog_entry* find_catalog_entry(std::string_view key) {
  key = without_provider(key);
  for (const auto& e : entries)
    if (same_ascii(key, e.name) || same_ascii(key, e.stem) ||
        same_ascii(key, without_provider(e.source)))
      return &e;
  return nullptr;
}

}  // namespace sluice
