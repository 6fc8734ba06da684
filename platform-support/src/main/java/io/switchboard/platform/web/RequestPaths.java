package io.switchboard.platform.web;

import jakarta.servlet.http.HttpServletRequest;

/** The path of a request as the handlers match it: decoded, without path parameters. */
public final class RequestPaths {

    private RequestPaths() {
    }

    public static String of(HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }
}
