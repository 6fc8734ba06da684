package io.switchboard.operations.deadletters;

import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tenant's own dead letters, read-only: what of its runs could not be handled, and why. Another
 * tenant's dead letter answers exactly like one that does not exist. Redrive stays with operators.
 */
@RestController
@RequestMapping("/v1/dead-letters")
class TenantDeadLetterController {

    private static final int MAX_LIMIT = 1000;

    private final DeadLetters deadLetters;

    TenantDeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping
    List<DeadLetterController.Item> list(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                                         @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "Invalid limit", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        return deadLetters.newestOf(tenantId, limit).stream().map(DeadLetterController.Item::of).toList();
    }

    @GetMapping("/{id}")
    DeadLetterController.Item get(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                                  @PathVariable String id) {
        return deadLetters.find(id).filter(letter -> tenantId.equals(letter.tenant())).map(DeadLetterController.Item::of)
                .orElseThrow(() -> DeadLetterController.notFound(id));
    }
}
