#pragma once
// DNS messages read without heap allocation: MessageView walks a whole message (queries and
// responses alike) once, checking every record, and then hands out its header, question, OPT
// and the records of each section; parse_query is the query path's reading of the same walk.
//
//   MessageView m(packet);
//   if (!m.ok()) { log(message_error_text(m.error())); return; }
//   for (const RecordView& rr : m.answer()) {
//     Name owner;
//     rr.read_owner(owner);              // through compression pointers
//     rr.type; rr.ttl; rr.rdata;         // rdata as written; expand_rdata() for its names
//   }
//   m.rcode();                           // 12 bits, the OPT's extended rcode included
//
//   ParsedQuery q;
//   switch (parse_query(packet, q)) {
//     case ParseStatus::Ok: ...answer q.question...
//     case ParseStatus::FormErr: ...reply FORMERR echoing q.header.id...
//     case ParseStatus::Drop: ...send nothing...
//   }
//
// Every read is bounds-checked; malformed input gives an error state, never a throw, an assert
// or a read past the message (ARCHITECTURE.md habit 6).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>

#include "dns/edns.h"
#include "dns/header.h"
#include "dns/name.h"
#include "dns/reader.h"
#include "dns/types.h"

namespace vmdns::dns {

struct Question {
  Name name;  // as sent, case preserved
  RrType type = RrType::A;
  uint16_t qclass = 1;
};

// Why a message could not be walked to its end. The parts before the failure stay readable:
// the header after anything but Short, the question after the record sections' errors, and the
// records that parsed before the one that did not.
enum class MessageError : uint8_t {
  None,
  Short,          // fewer octets than a header
  QuestionCount,  // QDCOUNT above 1 (RFC 9619)
  Question,       // the question's name is malformed, or the question runs past the end
  Answer,         // a record of this section is malformed or runs past the end
  Authority,
  Additional,
};
// "shorter than a header", "malformed answer record", ...
const char* message_error_text(MessageError error);

// What is wrong with the OPT records of the additional section (RFC 6891 section 6.1.1); the
// message is still walked, and edns() holds the first OPT if it was well formed.
enum class OptError : uint8_t {
  None,
  Duplicate,   // more than one OPT
  NotRoot,     // the first OPT's owner is not the root
  BadOptions,  // the first OPT's options do not fill its rdata exactly
};

// One resource record as it sits in a message (RFC 1035 section 4.1.3).
struct RecordView {
  std::span<const uint8_t> message;  // the whole message, for compression pointers
  Section section = Section::Answer;
  size_t offset = 0;         // the owner name's first octet
  size_t fields_offset = 0;  // TYPE, just past the owner as written
  RrType type = RrType::A;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  std::span<const uint8_t> rdata;  // as written: names in it may be compressed

  size_t ttl_offset() const { return fields_offset + 4; }
  size_t rdata_offset() const { return fields_offset + 10; }
  size_t end() const { return rdata_offset() + rdata.size(); }
  // The record's octets: owner as written, fixed fields, rdata.
  std::span<const uint8_t> bytes() const { return message.subspan(offset, end() - offset); }
  // Decompresses the owner name; false only for a record MessageView did not accept.
  bool read_owner(Name& out) const { return Reader(message, offset).read_name(out); }
  // A reader over the rdata that cannot run past it (its names may still point back anywhere
  // earlier in the message, RFC 1035 section 4.1.4).
  Reader rdata_reader() const { return Reader(message.first(end()), rdata_offset()); }
};

// Reads the record at `offset` (owner skipped, fields, rdata inside the message); false when it
// is malformed or runs past the end.
bool read_record(std::span<const uint8_t> message, size_t offset, Section section, RecordView& out);

// The records of one or more consecutive sections, in message order.
class RecordRange {
 public:
  class Iterator {
   public:
    using value_type = RecordView;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(std::span<const uint8_t> message, size_t offset, const uint16_t (&counts)[3]);
    const RecordView& operator*() const { return current_; }
    const RecordView* operator->() const { return &current_; }
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(std::default_sentinel_t) const { return done_; }

   private:
    void load(size_t offset);
    std::span<const uint8_t> message_;
    uint16_t left_[3] = {0, 0, 0};
    RecordView current_;
    bool done_ = true;
  };

  RecordRange() = default;
  // `counts` records of each section from `offset`; sections outside the range count 0.
  RecordRange(std::span<const uint8_t> message, size_t offset, uint16_t answer, uint16_t authority,
              uint16_t additional)
      : message_(message), offset_(offset), counts_{answer, authority, additional} {}
  Iterator begin() const { return Iterator(message_, offset_, counts_); }
  std::default_sentinel_t end() const { return {}; }
  size_t size() const { return size_t{counts_[0]} + counts_[1] + counts_[2]; }
  bool empty() const { return size() == 0; }

 private:
  std::span<const uint8_t> message_;
  size_t offset_ = 0;
  uint16_t counts_[3] = {0, 0, 0};
};

// Where the sections of a message lie, as far as they parsed, and its OPT.
struct SectionWalk {
  size_t start[4] = {0, 0, 0, 0};  // each section's first octet; [3]: past the last record
  uint16_t parsed[3] = {0, 0, 0};  // records of each section that parsed
  MessageError error = MessageError::None;
  size_t error_offset = 0;  // the first octet of the part that did not parse
  Edns edns;
  OptError opt_error = OptError::None;
  size_t opt_offset = 0;  // the first OPT's first octet, 0 if none
};

class MessageView {
 public:
  // Walks `message`, which must outlive the view.
  explicit MessageView(std::span<const uint8_t> message);

  bool ok() const { return walk_.error == MessageError::None; }
  MessageError error() const { return walk_.error; }
  size_t error_offset() const { return walk_.error_offset; }
  OptError opt_error() const { return walk_.opt_error; }

  std::span<const uint8_t> bytes() const { return message_; }
  // Zero when the message is Short.
  const Header& header() const { return header_; }
  // QDCOUNT 1 and the question parsed (later sections may still have failed).
  bool has_question() const { return has_question_; }
  const Question& question() const { return question_; }
  // Just past the question section: the header's end if there is no question.
  size_t question_end() const { return walk_.start[0]; }
  // Just past the last record that parsed.
  size_t records_end() const { return walk_.start[3]; }
  const Edns& edns() const { return walk_.edns; }
  size_t opt_offset() const { return walk_.opt_offset; }
  // The 12-bit rcode: the header's 4 bits, and the OPT's extended rcode above them.
  uint16_t rcode() const {
    return static_cast<uint16_t>((uint16_t{walk_.edns.extended_rcode} << 4) | header_.rcode_low());
  }

  RecordRange section(Section section) const;
  RecordRange answer() const { return section(Section::Answer); }
  RecordRange authority() const { return section(Section::Authority); }
  RecordRange additional() const { return section(Section::Additional); }
  // Every record that parsed, answer, authority then additional.
  RecordRange records() const;

 private:
  std::span<const uint8_t> message_;
  Header header_;
  bool has_question_ = false;
  Question question_;
  SectionWalk walk_;
};

enum class ParseStatus {
  Ok,       // header, one question and any OPT parsed
  FormErr,  // a header was read but the rest is malformed: answer FORMERR with header.id
  Drop,     // shorter than a header, or a response (QR=1): never answer (RFC 1035 section 7.3)
};

struct ParsedQuery {
  Header header;
  bool has_question = false;  // the question parsed, even if a later section did not
  Question question;
  Edns edns;
  size_t question_end = 0;  // offset just past the question section (the header if none)
};

// Parses `packet` into `out`. Requires QDCOUNT == 1 for Ok (RFC 9619: QDCOUNT > 1 is FORMERR,
// and so is QDCOUNT 0 for a QUERY). Answer and authority records are skipped over after being
// checked for well-formedness; a second OPT record, an OPT whose owner is not the root, or one
// whose options do not fill its rdata is FormErr (RFC 6891 section 6.1.1). Opcodes other than
// QUERY parse as Ok when well formed; the caller answers NOTIMP. For those opcodes QDCOUNT 0 is
// also Ok, with has_question false (the rest of the message is still checked and any OPT read,
// so the NOTIMP can carry one). Bytes after the last counted record are ignored. On FormErr,
// `header` is filled and so is whatever parsed before the error (the question, the EDNS
// fields).
ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out);

}  // namespace vmdns::dns
