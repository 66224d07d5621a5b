#include "rivet/client/api_error.hpp"

#include <gtest/gtest.h>

namespace rivet::client {
namespace {

using rivet::sdk::ErrorCode;

TEST(ApiErrorFromResponse, ReadsTheApiErrorShape) {
  const auto error = apiErrorFromResponse(422, R"({"error": {"code": "invalid_parameters",
      "message": "parameter 'count': expected integer, got string",
      "details": [{"parameter": "count", "message": "expected integer, got string"}]}})");
  EXPECT_EQ(error.http_status, 422);
  EXPECT_EQ(error.code, "invalid_parameters");
  EXPECT_EQ(error.message, "parameter 'count': expected integer, got string");
  ASSERT_TRUE(error.details.is_array());
  EXPECT_EQ(error.details[0]["parameter"], "count");

  const auto status = toStatus(error);
  EXPECT_EQ(status.code(), ErrorCode::unprocessable);
  EXPECT_EQ(status.message(),
            "invalid_parameters: parameter 'count': expected integer, got string");
}

TEST(ApiErrorFromResponse, MapsHttpStatusesToErrorCodes) {
  const std::pair<int, ErrorCode> cases[] = {
      {400, ErrorCode::invalid_argument}, {404, ErrorCode::not_found},
      {405, ErrorCode::invalid_argument}, {409, ErrorCode::conflict},
      {413, ErrorCode::too_large},        {415, ErrorCode::invalid_argument},
      {422, ErrorCode::unprocessable},    {429, ErrorCode::exhausted},
      {500, ErrorCode::internal},         {503, ErrorCode::unavailable},
      {502, ErrorCode::internal}};
  for (const auto& [http_status, code] : cases) {
    const auto error =
        apiErrorFromResponse(http_status, R"({"error": {"code": "x", "message": "y"}})");
    EXPECT_EQ(toStatus(error).code(), code) << http_status;
  }
}

TEST(ApiErrorFromResponse, NamesANonApiBodyAfterTheHttpStatus) {
  const auto error = apiErrorFromResponse(502, "<html>\nBad gateway\n</html>");
  EXPECT_EQ(error.code, "http_502");
  EXPECT_EQ(error.message, "<html> Bad gateway </html>");
  EXPECT_TRUE(error.details.is_null());
  EXPECT_EQ(toStatus(error).message(), "http_502: <html> Bad gateway </html>");

  EXPECT_EQ(apiErrorFromResponse(500, "").message, "the server answered HTTP 500");
  EXPECT_EQ(apiErrorFromResponse(500, R"({"error": "flat"})").code, "http_500");
}

TEST(Result, KeepsTheApiErrorThroughFailureAs) {
  const Result<int> failed(apiErrorFromResponse(404, R"({"error": {"code": "unknown_action",
      "message": "no action 'a.b'"}})"));
  ASSERT_FALSE(failed.ok());
  const Result<std::string> converted = failed.failureAs<std::string>();
  ASSERT_TRUE(converted.apiError().has_value());
  EXPECT_EQ(converted.apiError()->code, "unknown_action");
  EXPECT_EQ(converted.status().code(), ErrorCode::not_found);

  const Result<int> local(rivet::sdk::Status(ErrorCode::unavailable, "cannot reach"));
  EXPECT_FALSE(local.apiError().has_value());
}

}  // namespace
}  // namespace rivet::client
