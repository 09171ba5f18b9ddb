# Reference values for collabcomm's model specifications on real data: R's lm() of
# api00 ~ api99 + meals + enroll on apipop, the Academic Performance Index of all 6,194
# California schools with at least 100 students (R package survey, data(api); Debian:
# r-cran-survey). The same design as Exhibit 4's Model 1 (outcome ~ baseline + % subsidized
# meals + size). lm() leaves out the 37 schools whose enroll is missing (na.omit).
# Run from the repository root:   Rscript tests/reference/apipop_lm.R
# Writes data/examples/apipop.csv (cds kept as text, with its leading zeros; the four numeric
# columns as they are in the package; blank where enroll is missing) and
# tests/reference/apipop_lm.csv (one row per term: coef, se, t, p, and the model's n,
# df_resid, r_squared, adj_r_squared, sigma); tests/test_modelspec.py and
# tests/test_models.py pin statsmodels to these values.
suppressMessages(library(survey))
data(api)
d <- apipop[, c("cds", "api00", "api99", "meals", "enroll")]
d$cds <- as.character(d$cds)
write.csv(d, "data/examples/apipop.csv", row.names = FALSE, na = "", quote = FALSE)
fit <- lm(api00 ~ api99 + meals + enroll, data = d)  # na.action = na.omit (R's default)
s <- summary(fit)
co <- s$coefficients
terms <- rownames(co)
terms[terms == "(Intercept)"] <- "const"
out <- data.frame(model = 1, term = terms, coef = co[, 1], se = co[, 2], t = co[, 3],
                  p = co[, 4], n = nobs(fit), df_resid = fit$df.residual,
                  r_squared = s$r.squared, adj_r_squared = s$adj.r.squared, sigma = s$sigma,
                  row.names = NULL)
write.csv(format(out, digits = 15), "tests/reference/apipop_lm.csv", row.names = FALSE,
          quote = FALSE)
cat(R.version.string, "; survey", format(packageVersion("survey")), "\n")
