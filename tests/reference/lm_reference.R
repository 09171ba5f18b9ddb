# Reference values for collabcomm.models: Exhibit 4's six OLS models fitted with R's lm()
# on tests/reference/schools_for_lm.csv (a reconstruction written at full precision), with
# HC3 standard errors from sandwich::vcovHC and their t(n - k - 1) p-values from
# lmtest::coeftest (Debian: r-cran-sandwich, r-cran-lmtest).
# Run from the repository root:   Rscript tests/reference/lm_reference.R
# Writes tests/reference/lm_reference.csv; tests/test_models.py pins these values.
suppressMessages({library(sandwich); library(lmtest)})
d <- read.csv("tests/reference/schools_for_lm.csv")
added <- list(character(0), "bureaucratic", "traditional", "fragmented", "collaborative",
              c("bureaucratic", "traditional", "fragmented", "collaborative"))
out <- NULL
for (m in 1:6) {
  xs <- c("sed_pct", "api_2011", "school_size", added[[m]])
  f <- as.formula(paste("api_2012 ~", paste(xs, collapse = " + ")))
  fit <- lm(f, data = d)
  s <- summary(fit)
  co <- s$coefficients
  hc3 <- coeftest(fit, vcov. = vcovHC(fit, type = "HC3"))  # t with fit$df.residual df
  terms <- rownames(co)
  terms[terms == "(Intercept)"] <- "const"
  out <- rbind(out, data.frame(model = m, term = terms, coef = co[, 1], se = co[, 2],
                               t = co[, 3], p = co[, 4], se_hc3 = hc3[, 2], t_hc3 = hc3[, 3],
                               p_hc3 = hc3[, 4], df_resid = fit$df.residual,
                               r_squared = s$r.squared,
                               adj_r_squared = s$adj.r.squared, sigma = s$sigma,
                               row.names = NULL))
}
write.csv(format(out, digits = 15), "tests/reference/lm_reference.csv", row.names = FALSE,
          quote = FALSE)
cat(R.version.string, "\n")
