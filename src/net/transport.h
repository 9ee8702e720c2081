#pragma once

namespace vmdns::net {

enum class Transport { Udp, Tcp };

}  // namespace vmdns::net
