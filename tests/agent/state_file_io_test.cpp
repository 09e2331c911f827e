// Writing and reading the state file: atomic replace, and every failed write (missing or
// unwritable directory, full disk, read-only file system, a directory or symlink in the way)
// leaves the previous file as it was and no temp file behind. And the write policy, on a fake
// clock.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "agent/state/state_file.hpp"
#include "agent/state/state_writer.hpp"
#include "tests/agent/state_test_targets.hpp"

namespace rdns::agent::state {
namespace {

namespace fs = std::filesystem;

// A directory removed with everything in it when the test ends.
struct ScratchDir {
  fs::path path = [] {
    std::string pattern = (fs::temp_directory_path() / "rdns_state_test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return fs::path(pattern);
  }();
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string str() const { return path.string(); }
};

const std::string& good_bytes() {
  static const std::string bytes = encode_state(testing::realistic_targets(), 1700000300);
  return bytes;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The promise of every failed write: the previous file intact and no temp file left.
void expect_previous_survives(const fs::path& dir) {
  EXPECT_EQ(slurp(dir / k_state_file_name), good_bytes());
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / k_state_temp_name)));
  auto read = read_state_file(dir.string());
  ASSERT_TRUE(read) << read.error();
  ASSERT_TRUE(*read);
  EXPECT_TRUE(decode_state(**read));
}

TEST(StateFileIo, WritesAtomicallyWithPrivateModeAndReadsBack) {
  ScratchDir dir;
  auto missing = read_state_file(dir.str());
  ASSERT_TRUE(missing) << missing.error();
  EXPECT_FALSE(*missing);  // a first start: no file, no error

  ASSERT_TRUE(write_state_file(dir.str(), "first"));
  ASSERT_TRUE(write_state_file(dir.str(), good_bytes()));  // replaces
  auto read = read_state_file(dir.str());
  ASSERT_TRUE(read) << read.error();
  ASSERT_TRUE(*read);
  EXPECT_EQ(**read, good_bytes());
  struct stat st {};
  ASSERT_EQ(::stat((dir.path / k_state_file_name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(dir.path / k_state_temp_name));
}

TEST(StateFileIo, StaleTempFileIsReplacedAndMadePrivate) {
  ScratchDir dir;
  const fs::path temp = dir.path / k_state_temp_name;
  std::ofstream(temp) << "left by a crash in the middle of a write, much longer than the new one";
  ::chmod(temp.c_str(), 0644);
  ASSERT_TRUE(write_state_file(dir.str(), "new"));
  EXPECT_EQ(slurp(dir.path / k_state_file_name), "new");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path / k_state_file_name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(StateFileIo, MissingDirectoryIsAnErrorNamingThePath) {
  ScratchDir dir;
  const std::string missing = (dir.path / "nope").string();
  auto written = write_state_file(missing, good_bytes());
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), "cannot create " + missing + "/state.tmp: No such file or directory");
  auto read = read_state_file(missing);
  ASSERT_TRUE(read);  // nothing there: a first start
  EXPECT_FALSE(*read);
}

// Root ignores permission bits, so "unwritable" is a directory path through a regular file
// (ENOTDIR, for root too); the permission case runs only when not root.
TEST(StateFileIo, UnwritableDirectoryIsAnError) {
  ScratchDir dir;
  std::ofstream(dir.path / "file") << "x";
  const std::string through_file = (dir.path / "file").string();
  auto written = write_state_file(through_file, good_bytes());
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), "cannot create " + through_file + "/state.tmp: Not a directory");
  auto read = read_state_file(through_file);
  ASSERT_FALSE(read);  // not "missing": the path is wrong
  EXPECT_EQ(read.error(), "cannot open " + through_file + "/rdns_exporter.state: Not a directory");

  if (::geteuid() != 0) {
    ASSERT_TRUE(write_state_file(dir.str(), good_bytes()));
    ::chmod(dir.path.c_str(), 0500);
    auto denied = write_state_file(dir.str(), "replacement");
    ::chmod(dir.path.c_str(), 0700);
    ASSERT_FALSE(denied);
    EXPECT_NE(denied.error().find("Permission denied"), std::string::npos) << denied.error();
    expect_previous_survives(dir.path);
  }
}

TEST(StateFileIo, DirectoryInTheWayOfTheRenameLeavesNoTempFile) {
  ScratchDir dir;
  fs::create_directories(dir.path / k_state_file_name / "inside");
  auto written = write_state_file(dir.str(), good_bytes());
  ASSERT_FALSE(written);
  EXPECT_NE(
      written.error().find("cannot rename " + dir.str() + "/state.tmp to " + dir.str() + "/rdns_exporter.state: "),
      std::string::npos)
      << written.error();
  EXPECT_FALSE(fs::exists(dir.path / k_state_temp_name));
  auto read = read_state_file(dir.str());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), "not a regular file: " + dir.str() + "/rdns_exporter.state");
}

TEST(StateFileIo, SymlinkAtTheTempNameIsNotFollowed) {
  ScratchDir dir;
  ASSERT_TRUE(write_state_file(dir.str(), good_bytes()));
  std::ofstream(dir.path / "victim") << "precious";
  fs::create_symlink(dir.path / "victim", dir.path / k_state_temp_name);
  auto written = write_state_file(dir.str(), "replacement");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().find("Too many levels of symbolic links"), std::string::npos) << written.error();
  EXPECT_EQ(slurp(dir.path / "victim"), "precious");
  expect_previous_survives(dir.path);
}

TEST(StateFileIo, OnlyRegularFilesAreRead) {
  ScratchDir dir;
  fs::create_symlink("/dev/zero", dir.path / k_state_file_name);
  auto read = read_state_file(dir.str());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(), "not a regular file: " + dir.str() + "/rdns_exporter.state");
  // The next write replaces the link, not its target.
  ASSERT_TRUE(write_state_file(dir.str(), good_bytes()));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir.path / k_state_file_name)));
}

TEST(StateFileIo, ReadIsCapped) {
  ScratchDir dir;
  ASSERT_TRUE(write_state_file(dir.str(), good_bytes()));
  auto read = read_state_file(dir.str(), good_bytes().size() - 1);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error(),
            dir.str() + "/rdns_exporter.state is larger than " + std::to_string(good_bytes().size() - 1) + " bytes");
  EXPECT_TRUE(read_state_file(dir.str(), good_bytes().size()));
}

// Runs `body` in a child process with a private mount namespace (a user namespace too when not
// root), so the tiny file systems it mounts vanish with it and never touch the host. Skips
// when the sandbox allows no mount. `body` returns an empty string or what went wrong.
void in_mount_namespace(const std::function<std::string()>& body) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int flags = CLONE_NEWNS | (::geteuid() == 0 ? 0 : CLONE_NEWUSER);
    if (::unshare(flags) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(77);
    const std::string failure = body();
    if (failure == "skip") _exit(77);
    if (!failure.empty()) std::fprintf(stderr, "%s\n", failure.c_str());
    _exit(failure.empty() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no mount namespace in this sandbox";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the child's message above";
}

// What every failed write in the child must leave: the good file, readable, and no temp file.
std::string previous_survived(const fs::path& dir) {
  std::error_code ignored;
  if (fs::exists(fs::symlink_status(dir / k_state_temp_name, ignored))) return "temp file left behind";
  auto read = read_state_file(dir.string());
  if (!read || !*read || **read != good_bytes()) return "previous state file damaged";
  return {};
}

// A real full disk: a 64 KiB tmpfs (ENOSPC from write, as on any full file system).
TEST(StateFileIo, FullDiskKeepsThePreviousFile) {
  ScratchDir dir;
  in_mount_namespace([&]() -> std::string {
    if (::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=64k,mode=0700") != 0) return "skip";
    if (!write_state_file(dir.str(), good_bytes())) return "the small write failed";
    const std::string big(256 * 1024, 'x');
    auto written = write_state_file(dir.str(), big);
    if (written) return "a 256 KiB write on a 64 KiB file system succeeded";
    if (written.error() != "cannot write " + dir.str() + "/state.tmp: No space left on device") {
      return "unexpected error: " + written.error();
    }
    return previous_survived(dir.path);
  });
}

// A read-only file system (remounted read-only after the first write): EROFS, for root too.
TEST(StateFileIo, ReadOnlyFileSystemKeepsThePreviousFile) {
  ScratchDir dir;
  in_mount_namespace([&]() -> std::string {
    if (::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=1m,mode=0700") != 0) return "skip";
    if (!write_state_file(dir.str(), good_bytes())) return "the first write failed";
    if (::mount(nullptr, dir.path.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0) return "skip";
    auto written = write_state_file(dir.str(), "replacement");
    if (written) return "a write on a read-only file system succeeded";
    if (written.error() != "cannot create " + dir.str() + "/state.tmp: Read-only file system") {
      return "unexpected error: " + written.error();
    }
    return previous_survived(dir.path);
  });
}

// --- the write policy -------------------------------------------------------------------------

using namespace std::chrono_literals;
using Clock = StateWriter::Clock;

TEST(StateWriterPolicy, WritesOnlyChangesAtMostOncePerInterval) {
  const Clock::time_point start{};
  StateWriter writer(60s, 5);  // the loaded file holds generation 5
  EXPECT_FALSE(writer.due(start, 5));
  EXPECT_FALSE(writer.due_at_shutdown(5));
  EXPECT_FALSE(writer.next_allowed());
  EXPECT_TRUE(writer.due(start + 1s, 6));  // the first change: at once
  writer.wrote(start + 1s, 6, true);
  EXPECT_FALSE(writer.due(start + 2s, 9));  // changed, but too soon
  EXPECT_FALSE(writer.due(start + 60s, 9));
  EXPECT_EQ(writer.next_allowed(), start + 61s);
  EXPECT_TRUE(writer.due(start + 61s, 9));
  EXPECT_FALSE(writer.due(start + 61s, 6));  // nothing new since the last write
  EXPECT_FALSE(writer.due(start + 3600s, 6));
  EXPECT_TRUE(writer.due_at_shutdown(9));  // shutdown does not wait for the interval
}

TEST(StateWriterPolicy, FailedWriteIsRetriedAfterTheInterval) {
  const Clock::time_point start{};
  StateWriter writer(60s);
  ASSERT_TRUE(writer.due(start, 1));
  writer.wrote(start, 1, false);  // disk full
  EXPECT_FALSE(writer.due(start + 59s, 1));
  EXPECT_TRUE(writer.due(start + 60s, 1));  // still dirty
  EXPECT_TRUE(writer.due_at_shutdown(1));
  writer.wrote(start + 60s, 1, true);
  EXPECT_FALSE(writer.due(start + 600s, 1));
  EXPECT_FALSE(writer.due_at_shutdown(1));
}

}  // namespace
}  // namespace rdns::agent::state
