# Reference values for collabcomm.reliability: Cronbach's alpha and item statistics from
# R's psych::alpha (Debian package r-cran-psych) on two fixed item sets.
# Run from the repository root:   Rscript tests/reference/psych_alpha.R
# Writes tests/reference/psych_alpha.csv; tests/test_reliability.py pins these values.
suppressPackageStartupMessages(library(psych))
out <- NULL
for (f in c("alpha_items.csv", "alpha_items_fragmented.csv")) {
  d <- read.csv(file.path("tests/reference", f))
  a <- psych::alpha(d, warnings = FALSE)
  tot <- a$total
  out <- rbind(out, data.frame(file = f, item = "(total)", statistic = c("raw_alpha", "std_alpha", "average_r"),
                               value = c(tot$raw_alpha, tot$std.alpha, tot$average_r)))
  if (!is.null(a$feldt)) {
    out <- rbind(out, data.frame(file = f, item = "(total)", statistic = c("feldt_low", "feldt_high"),
                                 value = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]])))
  }
  for (i in seq_len(ncol(d))) {
    it <- colnames(d)[i]
    out <- rbind(out, data.frame(file = f, item = it,
                                 statistic = c("r_drop", "alpha_if_deleted", "mean", "sd"),
                                 value = c(a$item.stats$r.drop[i], a$alpha.drop$raw_alpha[i],
                                           a$item.stats$mean[i], a$item.stats$sd[i])))
  }
}
out$value <- formatC(out$value, digits = 15, format = "g")
write.csv(out, "tests/reference/psych_alpha.csv", row.names = FALSE, quote = FALSE)
cat(R.version.string, " psych", as.character(packageVersion("psych")), "\n")
