// Load benchmark peer: a gSOAP 2.8 C++ service for the bridge's WSDL.
//
//     server PORT
//
// Built by build.sh the usual gSOAP way: wsdl2h over wsdl/therefore.wsdl,
// soapcpp2 -j -S -1 (a C++ service class, SOAP 1.1), then g++ -O2 with this
// file against libgsoap++. Both operations of both bindings are implemented
// and return their empty responses, so what is measured is gSOAP's own work:
// HTTP, the envelope, deserialising every element into the generated
// classes, and writing the response.
//
// One thread per connection (the threading model gSOAP's documentation
// shows), HTTP keep-alive on and unbounded, so a keep-alive load generator
// is served like any other client. Listens on 127.0.0.1 only; prints
// "listening PORT" once ready.
#include "soapThereforeWS0001_USCORESoapUserPasswordService.h"
#include "ThereforeWS0001_USCORESoapUserPassword.nsmap"

#include <pthread.h>
#include <cstdio>
#include <cstdlib>

typedef ThereforeWS0001_USCORESoapUserPasswordService Service;

int Service::SaveOutOfOfficeInfoForUser(_ns1__SaveOutOfOfficeInfoForUser *, _ns1__SaveOutOfOfficeInfoForUserResponse &) { return SOAP_OK; }
int Service::SavePortalUser(_ns1__SavePortalUser *, _ns1__SavePortalUserResponse &) { return SOAP_OK; }
// The SOAP 1.2 binding's operations (soapcpp2 adds a trailing underscore).
int Service::SaveOutOfOfficeInfoForUser_(_ns1__SaveOutOfOfficeInfoForUser *, _ns1__SaveOutOfOfficeInfoForUserResponse &) { return SOAP_OK; }
int Service::SavePortalUser_(_ns1__SavePortalUser *, _ns1__SavePortalUserResponse &) { return SOAP_OK; }

static void *serveConnection(void *arg) {
  Service *s = static_cast<Service *>(arg);
  pthread_detach(pthread_self());
  s->serve(); // loops over the keep-alive requests of this connection
  s->destroy();
  delete s;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: server PORT\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  Service service(SOAP_IO_KEEPALIVE);
  service.soap->bind_flags = SO_REUSEADDR;
  service.soap->max_keep_alive = 1 << 30; // default 100 closes busy connections
  service.soap->recv_timeout = 120;       // seconds: idle keep-alive connections
  service.soap->send_timeout = 120;
  if (!soap_valid_socket(service.bind("127.0.0.1", port, 1024))) {
    service.soap_stream_fault(std::cerr);
    return 1;
  }
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  for (;;) {
    if (!soap_valid_socket(service.accept())) {
      if (service.soap->errnum == 0) continue; // timed out
      service.soap_stream_fault(std::cerr);
      continue;
    }
    Service *copy = service.copy();
    if (copy == NULL) {
      soap_closesock(service.soap);
      continue;
    }
    pthread_t tid;
    if (pthread_create(&tid, NULL, serveConnection, copy) != 0) {
      copy->destroy();
      delete copy;
    }
  }
}
