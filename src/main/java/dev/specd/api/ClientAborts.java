package dev.specd.api;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;

/**
 * An I/O failure on the connection while a request is served — the client reset or closed it
 * while its body was being read, or the body of an HTTP/2 request without a length ran past
 * the limit (Quarkus has answered 413 and closed the stream) — is an expected condition: one
 * DEBUG line, never an ERROR with a stack trace. Nobody is left to read an answer; the one given
 * keeps Quarkus from logging the exception itself.
 */
public class ClientAborts {

    private static final Logger LOG = Logger.getLogger(ClientAborts.class);

    @ServerExceptionMapper
    public Response connection(IOException e) {
        LOG.debugf("connection failed while serving a request (client gone or body too large): %s", e.toString());
        return ErrorMappers.respond(ApiException.clientGone());
    }
}
