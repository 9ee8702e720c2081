#pragma once
// The spec/status readers of each kind vmdns reads. object_decoder.cc has already read the
// metadata and checked kind and apiVersion; each function returns nullopt once the reader has
// reported an error.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster/model.h"
#include "sources/field_reader.h"

namespace vmdns::sources {

std::optional<cluster::VirtualMachineInstance> decode_vmi(FieldReader& reader, const Field& root,
                                                          cluster::ObjectMeta meta);
std::optional<cluster::VirtualMachine> decode_vm(FieldReader& reader, const Field& root,
                                                 cluster::ObjectMeta meta);
std::optional<cluster::Pod> decode_pod(FieldReader& reader, const Field& root,
                                       cluster::ObjectMeta meta);
std::optional<cluster::Service> decode_service(FieldReader& reader, const Field& root,
                                               cluster::ObjectMeta meta);
std::optional<cluster::EndpointSlice> decode_endpoint_slice(FieldReader& reader, const Field& root,
                                                            cluster::ObjectMeta meta);

// Shared by Service and EndpointSlice: name, protocol (default TCP) and port of each entry.
// A Service port is required and in 1..65535, and has a targetPort (a number in 1..65535 or a
// port name; absent, 0 or "": the port); an EndpointSlice port may be absent (0).
enum class PortsOf { Service, EndpointSlice };
std::vector<cluster::ServicePort> decode_ports(FieldReader& reader, const Field& ports,
                                               PortsOf kind);
// A hostname or subdomain field, which must be a DNS-1123 label when set.
std::string decode_label_field(FieldReader& reader, const Field& field);
// The name of the pod network of a VMI spec (a VM's spec.template.spec too): spec.networks' entry
// with `pod: {}` or `multus: {default: true}`, or "default" without spec.networks unless
// domain.devices.autoattachPodInterface is false; nullopt when the VMI is not attached to it.
std::optional<std::string> decode_pod_network_name(FieldReader& reader, const Field& spec);
// status.conditions as type -> status, e.g. {"Ready": "True", "Paused": "False"}.
std::map<std::string, std::string> decode_conditions(FieldReader& reader, const Field& field);

}  // namespace vmdns::sources
