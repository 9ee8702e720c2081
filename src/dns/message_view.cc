#include "dns/message_view.h"

namespace vmdns::dns {
namespace {

constexpr MessageError kSectionErrors[3] = {MessageError::Answer, MessageError::Authority,
                                            MessageError::Additional};

// The question's name, type and class (RFC 1035 section 4.1.2), read into `out` as far as they
// go.
bool read_question(Reader& r, Question& out) {
  uint16_t qtype = 0;
  if (!r.read_name(out.name) || !r.read_u16(qtype) || !r.read_u16(out.qclass)) {
    return false;
  }
  out.type = static_cast<RrType>(qtype);
  return true;
}

bool owner_is_root(const RecordView& rr) {
  if (rr.message[rr.offset] == 0) {
    return true;
  }
  // A pointer may still lead to the root alone.
  Name owner;
  return rr.read_owner(owner) && owner.is_root();
}

// An OPT of the additional section: the first is read into walk.edns if it is well formed
// (RFC 6891 section 6.1.1: owned by the root, options filling its rdata); any other is noted.
void note_opt(const RecordView& rr, SectionWalk& walk) {
  if (walk.opt_offset != 0) {
    if (walk.opt_error == OptError::None) {
      walk.opt_error = OptError::Duplicate;
    }
    return;
  }
  walk.opt_offset = rr.offset;
  if (!owner_is_root(rr)) {
    walk.opt_error = OptError::NotRoot;
  } else if (!EdnsOptions(rr.rdata).well_formed()) {
    walk.opt_error = OptError::BadOptions;
  } else {
    decode_opt(rr.rclass, rr.ttl, rr.rdata, walk.edns);
  }
}

// Walks the answer, authority and additional records from `offset` as `header` counts them.
// A message whose counts do not match its contents is malformed (RFC 1035 section 4.1); bytes
// after the last counted record are ignored, as BIND and Knot do.
void walk_sections(std::span<const uint8_t> message, size_t offset, const Header& header,
                   SectionWalk& walk) {
  for (size_t s = 0; s < 3; ++s) {
    walk.start[s] = offset;
    auto section = static_cast<Section>(s);
    uint16_t count = header.count(section);
    for (uint16_t i = 0; i < count; ++i) {
      RecordView rr;
      if (!read_record(message, offset, section, rr)) {
        walk.error = kSectionErrors[s];
        walk.error_offset = offset;
        for (size_t later = s + 1; later < 4; ++later) {
          walk.start[later] = offset;
        }
        return;
      }
      if (section == Section::Additional && rr.type == RrType::OPT) {
        note_opt(rr, walk);
      }
      offset = rr.end();
      ++walk.parsed[s];
    }
  }
  walk.start[3] = offset;
}

}  // namespace

const char* message_error_text(MessageError error) {
  switch (error) {
    case MessageError::None:
      return "well formed";
    case MessageError::Short:
      return "shorter than a header";
    case MessageError::QuestionCount:
      return "more than one question";
    case MessageError::Question:
      return "malformed question";
    case MessageError::Answer:
      return "malformed answer record";
    case MessageError::Authority:
      return "malformed authority record";
    case MessageError::Additional:
      return "malformed additional record";
  }
  return "malformed";
}

bool read_record(std::span<const uint8_t> message, size_t offset, Section section,
                 RecordView& out) {
  Reader r(message, offset);
  if (!r.skip_name()) {
    return false;
  }
  // TYPE, CLASS, TTL and RDLENGTH, checked once as a whole: the fixed fields are read on every
  // record of every query.
  size_t fields = r.offset();  // within the message once skip_name() succeeded
  constexpr size_t kFixedFields = 10;
  if (message.size() - fields < kFixedFields) {
    return false;
  }
  const uint8_t* at = message.data() + fields;
  auto u16 = [at](size_t i) { return static_cast<uint16_t>((at[i] << 8) | at[i + 1]); };
  uint16_t rdlength = u16(8);
  if (message.size() - fields - kFixedFields < rdlength) {
    return false;
  }
  out.message = message;
  out.section = section;
  out.offset = offset;
  out.fields_offset = fields;
  out.type = static_cast<RrType>(u16(0));
  out.rclass = u16(2);
  out.ttl = (uint32_t{u16(4)} << 16) | u16(6);
  out.rdata = message.subspan(fields + kFixedFields, rdlength);
  return true;
}

RecordRange::Iterator::Iterator(std::span<const uint8_t> message, size_t offset,
                                const uint16_t (&counts)[3])
    : message_(message), left_{counts[0], counts[1], counts[2]} {
  load(offset);
}

RecordRange::Iterator& RecordRange::Iterator::operator++() {
  load(current_.end());
  return *this;
}

void RecordRange::Iterator::load(size_t offset) {
  size_t s = 0;
  while (s < 3 && left_[s] == 0) {
    ++s;
  }
  // The records were checked when the message was walked; a failure here would be a range not
  // made by a MessageView, and ends the iteration rather than reading on.
  done_ = s == 3 || !read_record(message_, offset, static_cast<Section>(s), current_);
  if (!done_) {
    --left_[s];
  }
}

MessageView::MessageView(std::span<const uint8_t> message) : message_(message) {
  if (!read_header(message, header_)) {
    walk_.error = MessageError::Short;
    return;
  }
  for (size_t& start : walk_.start) {
    start = kHeaderSize;
  }
  if (header_.qdcount > 1) {
    walk_.error = MessageError::QuestionCount;
    walk_.error_offset = kHeaderSize;
    return;
  }
  Reader r(message, kHeaderSize);
  if (header_.qdcount == 1) {
    if (!read_question(r, question_)) {
      walk_.error = MessageError::Question;
      walk_.error_offset = kHeaderSize;
      return;
    }
    has_question_ = true;
  }
  walk_sections(message, r.offset(), header_, walk_);
}

RecordRange MessageView::section(Section section) const {
  auto s = static_cast<size_t>(section);
  uint16_t counts[3] = {0, 0, 0};
  counts[s] = walk_.parsed[s];
  return RecordRange(message_, walk_.start[s], counts[0], counts[1], counts[2]);
}

RecordRange MessageView::records() const {
  return RecordRange(message_, walk_.start[0], walk_.parsed[0], walk_.parsed[1], walk_.parsed[2]);
}

ParseStatus parse_query(std::span<const uint8_t> packet, ParsedQuery& out) {
  out = ParsedQuery{};
  Header& h = out.header;
  if (!read_header(packet, h)) {
    return ParseStatus::Drop;
  }
  if (h.qr()) {
    // Never answer a response: two servers would echo each other forever (RFC 1035 7.3).
    return ParseStatus::Drop;
  }
  Reader r(packet, kHeaderSize);
  if (h.qdcount == 0 && h.opcode() != Opcode::Query) {
    // Some opcodes may carry no question; the caller answers NOTIMP, so go on and read the
    // rest for the OPT record only.
  } else if (h.qdcount != 1) {
    // RFC 9619 section 4: a QUERY has exactly one question; 0 or more than 1 is FORMERR.
    return ParseStatus::FormErr;
  } else if (!read_question(r, out.question)) {
    return ParseStatus::FormErr;
  } else {
    out.has_question = true;
  }
  out.question_end = r.offset();
  SectionWalk walk;
  walk_sections(packet, r.offset(), h, walk);
  out.edns = walk.edns;
  // RFC 6891 section 6.1.1: a second OPT, or one not owned by the root, is FORMERR.
  return walk.error == MessageError::None && walk.opt_error == OptError::None
             ? ParseStatus::Ok
             : ParseStatus::FormErr;
}

}  // namespace vmdns::dns
