#pragma once
// SharedText: an immutable string that many objects hold once, for the file or URL an object was
// read from (Origin::file): the 120,020 objects of one manifest all name the same file, and a
// std::string each of a 40-character path was 80 bytes an object. Copies share one string;
// text made on one thread from the same value as the last it made shares it too, so a decoder
// that builds each object's origin from its file's name still keeps one copy per file.
//
//   cluster::SharedText file = std::string("cluster.yaml");
//   cluster::SharedText same = file;           // no copy of the characters
//   std::string message = file + ": document 3";

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace vmdns::cluster {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text) : text_(intern(text)) {}  // NOLINT: reads like a string
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}  // NOLINT
  SharedText(const char* text) : SharedText(std::string_view(text)) {}  // NOLINT

  const std::string& str() const { return text_ ? *text_ : none(); }
  operator const std::string&() const { return str(); }  // NOLINT
  operator std::string_view() const { return str(); }    // NOLINT
  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }

  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.text_ == b.text_ || a.str() == b.str();
  }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const char* b) { return a.str() == b; }
  friend bool operator==(const SharedText& a, const std::string& b) { return a.str() == b; }
  friend auto operator<=>(const SharedText& a, const SharedText& b) { return a.str() <=> b.str(); }
  friend std::string operator+(std::string a, const SharedText& b) { return a += b.str(); }
  friend std::string operator+(const SharedText& a, std::string_view b) {
    return std::string(a.str()).append(b);
  }
  friend std::string operator+(const SharedText& a, const char* b) {
    return std::string(a.str()).append(b);
  }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& text) {
    return out << text.str();
  }

 private:
  // The shared copy of `text` (null when empty). Out of line, so that the compiler does not
  // follow the thread's last text into every aggregate that holds an Origin; the constructor
  // stays inline, so that it sees text_ made (GCC 12 otherwise warns of an uninitialized
  // shared_ptr in static tables of Origins).
  static std::shared_ptr<const std::string> intern(std::string_view text);
  static const std::string& none() {
    static const std::string none;
    return none;
  }
  std::shared_ptr<const std::string> text_;
};

}  // namespace vmdns::cluster
