// A reader's copy of a published value: refreshed when a new one is published, and released
// when the reader goes idle, so that an old value is freed by the publisher's replacing it.

#include "sync/published.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace vmdns::sync {
namespace {

TEST(Published, AReaderSeesTheNewestValueOncePublished) {
  Published<std::string> holder;
  LocalCopy<std::string> local(holder);
  EXPECT_EQ(local.get(), nullptr);  // nothing published yet
  holder.publish(std::make_shared<const std::string>("one"));
  EXPECT_EQ(*local.get(), "one");
  holder.publish(std::make_shared<const std::string>("two"));
  EXPECT_EQ(*local.get(), "two");
}

TEST(Published, AReaderKeepsItsValueAliveUntilItReadsAgainOrReleases) {
  Published<std::string> holder;
  LocalCopy<std::string> local(holder);
  auto first = std::make_shared<const std::string>("one");
  std::weak_ptr<const std::string> watched = first;
  holder.publish(std::move(first));
  ASSERT_EQ(*local.get(), "one");
  holder.publish(std::make_shared<const std::string>("two"));
  EXPECT_FALSE(watched.expired()) << "the reader still holds the value it read last";
  local.release();
  EXPECT_TRUE(watched.expired()) << "released, the replaced value is freed";
  EXPECT_EQ(*local.get(), "two") << "the next read takes the newest";
}

TEST(Published, ReleasingKeepsTheCurrentValuePublished) {
  Published<std::string> holder;
  LocalCopy<std::string> local(holder);
  holder.publish(std::make_shared<const std::string>("one"));
  ASSERT_EQ(*local.get(), "one");
  local.release();
  local.release();  // twice is harmless
  EXPECT_EQ(*local.get(), "one");
  EXPECT_EQ(*holder.current(), "one");
}

}  // namespace
}  // namespace vmdns::sync
