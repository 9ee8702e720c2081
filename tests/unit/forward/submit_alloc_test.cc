// The worker's side of forwarding allocates nothing: parsing the client's query and submitting
// it to the forwarder (DESIGN.md habit 4). Only allocations made by this test's thread are
// counted, so the forwarder thread's own (its cache, its sockets' buffers) do not interfere.
// Replacing the global operator new affects the whole test binary, harmlessly.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "forward/forwarder.h"
#include "testing/dns_text.h"

namespace {
thread_local bool t_counting = false;
thread_local size_t t_allocations = 0;
}  // namespace

void* operator new(size_t size) {
  if (t_counting) {
    ++t_allocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace vmdns::forward {
namespace {

TEST(SubmitPath, DoesNotAllocate) {
  std::string error;
  // An upstream nobody will hear from: the test only submits.
  auto upstream = parse_upstream("127.0.0.1:9", &error);
  ASSERT_TRUE(upstream) << error;
  Forwarder forwarder({.upstreams = {*upstream}, .timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(forwarder.start(&error)) << error;
  auto client = forwarder.make_client();
  auto packet = vmdns::testing::make_query({.name = "www.example.test", .edns = true});
  server::ReplyRoute route;  // udp_fd -1: the replies go nowhere
  t_counting = true;
  for (int i = 0; i < 100; ++i) {
    ClientQuery query;
    ASSERT_TRUE(parse_client_query(packet, server::Transport::Udp, &query));
    client->submit(query, route);
  }
  t_counting = false;
  EXPECT_EQ(t_allocations, 0u);
  forwarder.stop();
}

}  // namespace
}  // namespace vmdns::forward
