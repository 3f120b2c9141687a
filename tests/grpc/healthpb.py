"""grpc.health.v1 messages for Python, built at run time with Debian's
python3-protobuf (no generated code, no protoc).

    HealthCheckRequest(service="...")      .SerializeToString() / .FromString()
    HealthCheckResponse(status=SERVING)
    SERVICE = "grpc.health.v1.Health", CHECK and WATCH the method paths,
    STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}

The message layout is the one grpc/health/v1/health.proto publishes.
"""

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "grpc.health.v1.Health"
CHECK = "/grpc.health.v1.Health/Check"
WATCH = "/grpc.health.v1.Health/Watch"
STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}
STATUS_NAME = {v: k for k, v in STATUS.items()}


def _file():
    F = descriptor_pb2.FieldDescriptorProto
    f = descriptor_pb2.FileDescriptorProto(name="grpc/health/v1/health.proto",
                                           package="grpc.health.v1", syntax="proto3")
    req = f.message_type.add(name="HealthCheckRequest")
    req.field.add(name="service", number=1, label=F.LABEL_OPTIONAL, type=F.TYPE_STRING)
    resp = f.message_type.add(name="HealthCheckResponse")
    enum = resp.enum_type.add(name="ServingStatus")
    for name, num in STATUS.items():
        enum.value.add(name=name, number=num)
    resp.field.add(name="status", number=1, label=F.LABEL_OPTIONAL, type=F.TYPE_ENUM,
                   type_name=".grpc.health.v1.HealthCheckResponse.ServingStatus")
    svc = f.service.add(name="Health")
    svc.method.add(name="Check", input_type=".grpc.health.v1.HealthCheckRequest",
                   output_type=".grpc.health.v1.HealthCheckResponse")
    svc.method.add(name="Watch", input_type=".grpc.health.v1.HealthCheckRequest",
                   output_type=".grpc.health.v1.HealthCheckResponse", server_streaming=True)
    return f


_pool = descriptor_pool.DescriptorPool()
_pool.Add(_file())


def _cls(name):
    d = _pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(d)
    return message_factory.MessageFactory(_pool).GetPrototype(d)


HealthCheckRequest = _cls("grpc.health.v1.HealthCheckRequest")
HealthCheckResponse = _cls("grpc.health.v1.HealthCheckResponse")

SERVING = STATUS["SERVING"]
NOT_SERVING = STATUS["NOT_SERVING"]
UNKNOWN = STATUS["UNKNOWN"]
SERVICE_UNKNOWN = STATUS["SERVICE_UNKNOWN"]
