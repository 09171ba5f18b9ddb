# Reference values for collabcomm.intraclass.icc: ICC(1) and ICC(2) from Bliese's multilevel
# package (multilevel::ICC1, multilevel::ICC2 on a one-way aov), on its real data sets bh1996
# (Bliese & Halverson 1996; 7,382 soldiers in 99 companies) and lq2002 (2,042 soldiers in 49
# companies). ICC(1) with the adjusted group size k0 = (N - sum(n^2)/N) / (J - 1) is computed
# by hand here, as the second convention the library offers.
# Debian: r-cran-multilevel. Run from the repository root:
#   Rscript tests/reference/multilevel_icc.R
# Writes tests/reference/multilevel_bh1996.csv and multilevel_lq2002.csv (the group id and the
# scale scores used; data of the multilevel package, GPL >= 2) and multilevel_icc.csv;
# tests/test_reliability.py pins these values.
suppressMessages(library(multilevel))
data(bh1996)
data(lq2002)
sets <- list(
  bh1996 = list(data = bh1996, group = "GRP", vars = c("COHES", "LEAD", "HRS", "WBEING")),
  lq2002 = list(data = lq2002, group = "COMPID", vars = c("LEAD", "TSIG", "HOSTILE")))
out <- NULL
for (name in names(sets)) {
  s <- sets[[name]]
  d <- s$data[, c(s$group, s$vars)]
  names(d)[1] <- "group"
  write.csv(d, sprintf("tests/reference/multilevel_%s.csv", name), row.names = FALSE)
  for (v in s$vars) {
    fit <- aov(d[[v]] ~ as.factor(d$group))
    tab <- summary(fit)[[1]]
    msb <- tab[1, 3]; msw <- tab[2, 3]
    n <- table(d$group); N <- sum(n); J <- length(n)
    k0 <- (N - sum(n^2) / N) / (J - 1)
    out <- rbind(out, data.frame(dataset = name, variable = v, groups = J, n = N,
                                 icc1_mean = ICC1(fit), icc2 = ICC2(fit),
                                 icc1_adjusted = (msb - msw) / (msb + (k0 - 1) * msw),
                                 mean_size = N / J, k0 = k0))
  }
}
write.csv(format(out, digits = 15), "tests/reference/multilevel_icc.csv", row.names = FALSE,
          quote = FALSE)
cat(R.version.string, "\n")
