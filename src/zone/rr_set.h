#pragma once
// The records of one owner name and type: a view of rdatas stored back to back in a zone's
// record block, each prefixed by its 2-octet length, so that an answer copies them to the wire
// in one pass.
//
//   const RrSet* set = node->find(dns::RrType::A);
//   set->for_each([](std::span<const uint8_t> rdata) { ... });   // in insertion order
//
// An SRV set whose every target is a name of its own zone stores each target once, as the key
// of the zone's name table: its entries are the rdata's fixed part (priority, weight, port) and
// a 4-octet reference to the key, relative to the entry (a Service's shard names each endpoint
// six times in SRV targets: this is most of its bytes). A key holds a name's octets below its
// zone's apex, so such a set is preceded by a 4-octet header, the offset from its entries back
// to the apex, which completes each target; the rdata's length is the fixed part's, the key's
// and the apex's (each stored with its length octet before it), so the entry need not hold it.
// When every record of the set has the same priority and weight (a Service's do), the header
// holds them too, 4 octets before the apex offset, and an entry is the port and the reference.
// A PTR set (a reverse zone's: each target a whole name, like
// vm-1.grp-0.ns-0.svc.cluster.local., the part after its first label shared by the endpoints of
// a Service) stores each target as its first label and a 4-octet reference, relative to the
// entry, to the rest of the name, which the zone stores once (with its length octet before it)
// for all its sets: entries of 1 + label + 4 octets.
// Readers see whole rdatas either way: for_each() and next() put such an rdata together in a
// buffer of the caller's (a stack array; nothing is allocated).
//
// An RrSet is 12 octets, as a zone holds one per owner and type: where its entries are is an
// offset from the set itself (they live in the same block, or the same object, never farther
// than 2 GiB away), so a set is made in place and never copied or moved; its count is one
// octet, and a set of kCountInHeader records or more (rare: a large headless Service's
// addresses) keeps its count in 4 octets of its header. It keeps no length: a set of
// fixed-size entries (addresses, references) has its count times their size; a set of
// rdatas inline keeps its length in the 4 octets before its entries, and a set of split
// names does from two records on (one such name's length is in its entry). A Service's
// shard, all addresses and references, saves 4 octets a set.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "dns/types.h"

namespace vmdns::zone {

class RrSet {
 public:
  // Where the target name starts in an SRV rdata (RFC 2782): after priority, weight and port.
  static constexpr size_t kSrvFixed = 6;
  // An entry whose target is referenced: fixed part, reference.
  static constexpr size_t kReferenceEntry = kSrvFixed + 4;
  // Before the entries of such a set: how far back the zone's apex is (its wire octets).
  static constexpr size_t kReferenceHeader = 4;
  // With kPortReferences: priority and weight, the apex offset; entries of port, reference.
  static constexpr size_t kPriorityWeight = 4;
  static constexpr size_t kPortReferenceHeader = kPriorityWeight + kReferenceHeader;
  static constexpr size_t kPortReferenceEntry = 2 + 4;
  // From this many records on, a set keeps its count (4 octets, host order) in its header,
  // before what the header holds for its kind (kind_header()).
  static constexpr uint32_t kCountInHeader = 255;
  static constexpr size_t kCountHeader = 4;
  // The length of a set's entries (4 octets, host order), just before them, for the sets whose
  // entries vary in size (has_length_header()).
  static constexpr size_t kLengthHeader = 4;
  // Room for any rdata whose target is referenced: the fixed part and a name of 255 octets.
  using RdataBuffer = uint8_t[kSrvFixed + 255];

  // How the entries hold their rdatas.
  enum class Entries : uint8_t {
    kInline,      // each rdata after its 2-octet length
    kReferences,  // SRV: fixed part, reference to a key of the zone (targets_referenced())
    kPortReferences,  // SRV: port, reference; priority and weight in the header (the same)
    kSuffixes,    // a name: its first label, reference to the rest of the name
    kAddresses,   // A or AAAA: the addresses back to back, their length the type's (4 or 16)
  };
  // An entry of kSuffixes: the label (its length octet first), then the reference.
  static constexpr size_t kSuffixReference = 4;
  // Whether `rdata` may be stored as kSuffixes: a whole uncompressed name of a first label and
  // a rest (at least the root's octet), which next() puts back together octet for octet.
  static bool splits_at_first_label(std::span<const uint8_t> rdata) {
    if (rdata.size() < 3 || rdata[0] == 0 || rdata[0] > 63) {
      return false;
    }
    size_t at = 0;
    while (at < rdata.size() && rdata[at] != 0) {
      if (rdata[at] > 63) {
        return false;
      }
      at += 1 + size_t{rdata[at]};
    }
    return at + 1 == rdata.size();
  }

  // The octets a set of `count` records needs before its entries (its header), which the
  // maker of the set fills in: the count of a large set and the length of a set of varying
  // entries (write_header()), the apex offset of a set of references (Zone), the priority and
  // weight of kPortReferences. From the entries back: the kind's part (kind_header()), then
  // the count.
  static size_t header_size(uint32_t count, Entries entries) {
    return kind_header(count, entries) + (count >= kCountInHeader ? kCountHeader : 0);
  }
  // Writes the count and length of a set of `count` records whose entries, `length` octets,
  // are at `entries` (header_size() octets before them are its header).
  static void write_header(uint8_t* entries, uint32_t count, Entries kind, uint32_t length) {
    if (has_length_header(count, kind)) {
      std::memcpy(entries - kLengthHeader, &length, sizeof length);
    }
    if (count >= kCountInHeader) {
      std::memcpy(entries - kind_header(count, kind) - kCountHeader, &count, sizeof count);
    }
  }

  RrSet() = default;  // empty
  // A set whose entries are `data`, made where it stays: header_size(count, ...) octets before
  // data.data() must hold its header.
  RrSet(dns::RrType type, uint32_t ttl, uint32_t count, std::span<const uint8_t> data,
        Entries entries = Entries::kInline)
      : data_(static_cast<int32_t>(data.data() - reinterpret_cast<const uint8_t*>(this))),
        ttl_(ttl), type_(type), entries_(entries),
        count_(static_cast<uint8_t>(count < kCountInHeader ? count : kCountInHeader)) {}
  RrSet(const RrSet&) = delete;  // data_ is relative to the set's own place
  RrSet& operator=(const RrSet&) = delete;

  dns::RrType type() const { return type_; }
  uint32_t ttl() const { return ttl_; }
  size_t size() const {
    if (count_ < kCountInHeader) {
      return count_;
    }
    uint32_t count;
    std::memcpy(&count, entries() - kind_header(count_, entries_) - kCountHeader, sizeof count);
    return count;
  }
  // The stored entries, back to back: length-prefixed rdatas, or with targets_referenced()
  // entries of kReferenceEntry octets, or names split as kSuffixes says. Read them with next()
  // or for_each().
  std::span<const uint8_t> data() const { return {entries(), length()}; }
  Entries entries_kind() const { return entries_; }
  // True for an SRV set that stores its targets as references (see above).
  bool targets_referenced() const {
    return entries_ == Entries::kReferences || entries_ == Entries::kPortReferences;
  }
  // True when data() holds the rdatas themselves, each after its length.
  bool rdatas_inline() const { return entries_ == Entries::kInline; }

  // The first rdata (an SOA set's only one); empty for an empty set or a set of references or
  // names (never an SOA). The length prefix is checked against the data, so a set cut short never
  // reads past it.
  std::span<const uint8_t> first() const {
    if (entries_ == Entries::kAddresses) {
      return count_ > 0 ? std::span<const uint8_t>(entries(), address_size())
                        : std::span<const uint8_t>();
    }
    size_t length = this->length();
    if (length < 2 || entries_ != Entries::kInline) {
      return {};
    }
    const uint8_t* data = entries();
    size_t len = (size_t{data[0]} << 8) | data[1];
    return len + 2 <= length ? std::span<const uint8_t>(data + 2, len)
                             : std::span<const uint8_t>();
  }

  // Whether an entry starts at octet `at` of data().
  bool has_entry(size_t at) const { return at + 2 <= length(); }
  // The rdata of the entry at octet `at` of data() (has_entry(at)), moving `at` to the next
  // entry: a view into the set, or for a referenced target the rdata put together in `buffer`.
  std::span<const uint8_t> next(size_t& at, RdataBuffer& buffer) const {
    const uint8_t* data = entries();
    if (entries_ == Entries::kInline) {
      size_t len = (size_t{data[at]} << 8) | data[at + 1];
      std::span<const uint8_t> rdata(data + at + 2, len);
      at += 2 + len;
      return rdata;
    }
    const uint8_t* entry = data + at;
    if (entries_ == Entries::kAddresses) {
      size_t len = address_size();
      at += len;
      return {entry, len};
    }
    if (entries_ == Entries::kSuffixes) {
      size_t label = 1 + size_t{entry[0]};
      int32_t relative;
      std::memcpy(&relative, entry + label, sizeof relative);
      const uint8_t* rest = entry + relative;
      size_t rest_size = rest[-1];
      copy_short(buffer, entry, label);
      copy_short(buffer + label, rest, rest_size);
      at += label + kSuffixReference;
      return {buffer, label + rest_size};
    }
    // The fixed part in the entry, or priority and weight in the header and the port in the
    // entry; then the key and the apex, each with its length octet before it.
    size_t fixed_here;
    if (entries_ == Entries::kPortReferences) {
      fixed_here = kSrvFixed - kPriorityWeight;
      std::memcpy(buffer, data - kPortReferenceHeader, kPriorityWeight);
      std::memcpy(buffer + kPriorityWeight, entry, kSrvFixed - kPriorityWeight);
    } else {
      fixed_here = kSrvFixed;
      std::memcpy(buffer, entry, kSrvFixed);
    }
    int32_t relative;
    std::memcpy(&relative, entry + fixed_here, sizeof relative);
    uint32_t to_apex;
    std::memcpy(&to_apex, data - kReferenceHeader, sizeof to_apex);
    const uint8_t* below = entry + relative;
    size_t below_size = below[-1];
    const uint8_t* apex = data - to_apex;
    size_t apex_size = apex[-1];
    copy_short(buffer + kSrvFixed, below, below_size);
    copy_short(buffer + kSrvFixed + below_size, apex, apex_size);
    at += fixed_here + 4;
    return {buffer, kSrvFixed + below_size + apex_size};
  }

  // With targets_referenced(): the octets of an entry (kReferenceEntry, kPortReferenceEntry).
  size_t reference_entry_size() const { return reference_entry(); }
  // With targets_referenced(): where the target of rdata `index` (< size()) is, a key of the
  // zone's name table. Each name is one key, so two rdatas name the same target exactly when
  // these are equal.
  const uint8_t* referenced_target(size_t index) const {
    const uint8_t* entry = entries() + index * reference_entry();
    int32_t relative;
    std::memcpy(&relative, entry + reference_fixed(), sizeof relative);
    return entry + relative;
  }

  // Calls f(std::span<const uint8_t>) for each rdata in insertion order.
  template <typename F>
  void for_each(F&& f) const {
    size_t at = 0;
    if (entries_ == Entries::kInline) {
      const uint8_t* data = entries();
      size_t length = inline_length();
      while (at + 2 <= length) {
        size_t len = (size_t{data[at]} << 8) | data[at + 1];
        f(std::span<const uint8_t>(data + at + 2, len));
        at += 2 + len;
      }
      return;
    }
    if (entries_ == Entries::kAddresses) {
      const uint8_t* data = entries();
      size_t len = address_size();
      size_t length = size() * len;
      for (; at < length; at += len) {
        f(std::span<const uint8_t>(data + at, len));
      }
      return;
    }
    RdataBuffer buffer;
    size_t length = this->length();
    while (at + 2 <= length) {
      f(next(at, buffer));
    }
  }

 private:
  const uint8_t* entries() const { return reinterpret_cast<const uint8_t*>(this) + data_; }
  // Whether a set keeps the length of its entries before them: rdatas inline (a first() of a
  // set cut short stays within it), split names from two on (one's length is in its entry).
  static bool has_length_header(uint32_t count, Entries kind) {
    return (kind == Entries::kInline && count > 0) || (kind == Entries::kSuffixes && count > 1);
  }
  // The octets of a header that are the kind's, nearest the entries: the length, the apex
  // offset of references, priority and weight too with kPortReferences.
  static size_t kind_header(uint32_t count, Entries kind) {
    switch (kind) {
      case Entries::kReferences:
        return kReferenceHeader;
      case Entries::kPortReferences:
        return kPortReferenceHeader;
      case Entries::kAddresses:
        return 0;
      case Entries::kInline:
      case Entries::kSuffixes:
        break;
    }
    return has_length_header(count, kind) ? kLengthHeader : 0;
  }
  size_t inline_length() const {
    if (count_ == 0) {
      return 0;
    }
    uint32_t length;
    std::memcpy(&length, entries() - kLengthHeader, sizeof length);
    return length;
  }
  // The octets of the entries.
  size_t length() const {
    switch (entries_) {
      case Entries::kInline:
        return inline_length();
      case Entries::kAddresses:
        return size() * address_size();
      case Entries::kReferences:
      case Entries::kPortReferences:
        return size() * reference_entry();
      case Entries::kSuffixes:
        break;
    }
    if (count_ <= 1) {
      // One split name: its label with its length octet, then the reference.
      return count_ == 0 ? 0 : 1 + size_t{entries()[0]} + kSuffixReference;
    }
    uint32_t length;
    std::memcpy(&length, entries() - kLengthHeader, sizeof length);
    return length;
  }
  // memcpy of a part of a name (at most 255 octets) in 8-octet moves, the last one overlapping
  // the one before: a variable-length memcpy here costs a string instruction's start-up, a
  // good part of an answer's time. Reads and writes only [from, from + n) and [to, to + n).
  static void copy_short(uint8_t* to, const uint8_t* from, size_t n) {
    if (n >= 8) {
      for (size_t i = 0; i + 8 < n; i += 8) {
        std::memcpy(to + i, from + i, 8);
      }
      std::memcpy(to + n - 8, from + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(to, from, 4);
      std::memcpy(to + n - 4, from + n - 4, 4);
    } else if (n >= 2) {
      std::memcpy(to, from, 2);
      std::memcpy(to + n - 2, from + n - 2, 2);
    } else if (n == 1) {
      to[0] = from[0];
    }
  }
  // With kAddresses: the octets of each rdata.
  size_t address_size() const { return type_ == dns::RrType::A ? 4 : 16; }
  // With targets_referenced(): the octets of the fixed part an entry holds, and its size.
  size_t reference_fixed() const { return entries_ == Entries::kReferences ? kSrvFixed : 2; }
  size_t reference_entry() const { return reference_fixed() + 4; }

  int32_t data_ = 0;  // where the entries start, from this set
  uint32_t ttl_ = 0;
  dns::RrType type_ = dns::RrType::SOA;
  Entries entries_ = Entries::kInline;
  uint8_t count_ = 0;  // kCountInHeader: see size()
};

static_assert(sizeof(RrSet) == 12);

}  // namespace vmdns::zone
