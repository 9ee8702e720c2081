// The worker's side of forwarding allocates nothing: parsing the client's query and submitting
// it to the forwarder (ARCHITECTURE.md habit 4). Only allocations made by this test's thread are
// counted, so the forwarder thread's own (its cache, its sockets' buffers) do not interfere.

#include <gtest/gtest.h>

#include "forward/forwarder.h"
#include "testing/allocation_counter.h"
#include "testing/dns_text.h"

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
  net::ReplyRoute route;  // udp_fd -1: the replies go nowhere
  size_t before = vmdns::testing::allocations_on_this_thread();
  for (int i = 0; i < 100; ++i) {
    ClientQuery query;
    ASSERT_TRUE(parse_client_query(packet, net::Transport::Udp, &query));
    client->submit(query, route);
  }
  EXPECT_EQ(vmdns::testing::allocations_on_this_thread() - before, 0u);
  forwarder.stop();
}

}  // namespace
}  // namespace vmdns::forward
