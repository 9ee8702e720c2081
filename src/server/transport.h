#pragma once

namespace vmdns::server {

enum class Transport { Udp, Tcp };

}  // namespace vmdns::server
