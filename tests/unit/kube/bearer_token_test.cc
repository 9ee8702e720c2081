// BearerToken: a fixed token, or a token file read again whenever its inode, size or
// modification time moves (a rotated projected token) and after refresh() (a 401), the last
// token kept while the file is missing or unreadable.

#include "kube/bearer_token.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace vmdns::kube {
namespace {

class BearerTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vmdns-token-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "token").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` through a new file renamed over the token, as the kubelet swaps it.
  void replace(const std::string& text) {
    std::string tmp = path_ + ".new";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path_);
  }
  // Rewrites the same inode with `text` and puts the old modification time back: a change
  // that stat() cannot see.
  void rewrite_unseen(const std::string& text) {
    struct stat before {};
    ASSERT_EQ(::stat(path_.c_str(), &before), 0);
    std::ofstream(path_, std::ios::trunc) << text;
    timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(BearerTokenTest, AFixedTokenIsSentAsItIs) {
  BearerToken token("abc", "");
  EXPECT_EQ(token.current(), "abc");
  token.refresh();
  EXPECT_EQ(token.current(), "abc");
  EXPECT_EQ(BearerToken("", "").current(), "");
}

TEST_F(BearerTokenTest, TheFileIsReadTrimmedAndAgainWhenItIsReplaced) {
  replace("token-1\n");
  BearerToken token("", path_);
  EXPECT_EQ(token.current(), "token-1");
  replace("  token-two\r\n");
  EXPECT_EQ(token.current(), "token-two");
}

TEST_F(BearerTokenTest, A401ReadsAFileWhoseChangeStatCannotSee) {
  replace("token-1\n");
  BearerToken token("", path_);
  EXPECT_EQ(token.current(), "token-1");
  rewrite_unseen("token-2\n");
  EXPECT_EQ(token.current(), "token-1");  // same inode, size and mtime: not read again
  token.refresh();                        // what ApiClient does on a 401
  EXPECT_EQ(token.current(), "token-2");
}

TEST_F(BearerTokenTest, TheLastTokenIsKeptWhileTheFileIsMissing) {
  replace("token-1\n");
  BearerToken token("", path_);
  EXPECT_EQ(token.current(), "token-1");
  std::filesystem::remove(path_);
  EXPECT_EQ(token.current(), "token-1");
  token.refresh();
  EXPECT_EQ(token.current(), "token-1");
  replace("token-3\n");
  EXPECT_EQ(token.current(), "token-3");
}

TEST_F(BearerTokenTest, NoFileYetIsNoToken) {
  BearerToken token("", path_);
  EXPECT_EQ(token.current(), "");
  replace("token-1\n");
  EXPECT_EQ(token.current(), "token-1");
}

}  // namespace
}  // namespace vmdns::kube
